using System.Globalization;
using System.Text.Json;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Metadata;

/// <summary>Where run-time parameter overrides are kept, so every node and every restart sees them.</summary>
public interface IParameterStore
{
    /// <summary>A number that changes whenever parameters or accounts change; nodes poll it.</summary>
    Task<long> ChangeVersionAsync(CancellationToken cancellationToken);

    Task<OverrideSet> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Replaces one scope's overrides (<c>global</c>, or a VDN); empty overrides remove the scope.</summary>
    Task SaveAsync(int? vdnId, ParameterOverrides overrides, CancellationToken cancellationToken);
}

public sealed class SqliteParameterStore(SqliteDatabase database, TimeProvider time) : IParameterStore
{
    private const string GlobalScope = "global";
    private const string VdnScope = "vdn:";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<long> ChangeVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM change_version WHERE id = 1;";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<OverrideSet> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT scope, json FROM parameter_overrides;";
        var global = new ParameterOverrides();
        var vdns = new Dictionary<int, ParameterOverrides>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var overrides = JsonSerializer.Deserialize<ParameterOverrides>(reader.GetString(1), Json) ?? new ParameterOverrides();
            var scope = reader.GetString(0);
            if (scope == GlobalScope)
            {
                global = overrides;
            }
            else if (scope.StartsWith(VdnScope, StringComparison.Ordinal)
                     && int.TryParse(scope.AsSpan(VdnScope.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var vdn))
            {
                vdns[vdn] = overrides;
            }
        }

        return new OverrideSet(global, vdns);
    }

    public async Task SaveAsync(int? vdnId, ParameterOverrides overrides, CancellationToken cancellationToken)
    {
        var scope = vdnId is { } vdn ? VdnScope + vdn.ToString(CultureInfo.InvariantCulture) : GlobalScope;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (overrides.IsEmpty)
        {
            await SqliteDatabase.ExecuteAsync(connection, "DELETE FROM parameter_overrides WHERE scope = $scope;", cancellationToken, ("$scope", scope));
        }
        else
        {
            await SqliteDatabase.ExecuteAsync(connection, """
                INSERT INTO parameter_overrides (scope, json, updated_at_ms) VALUES ($scope, $json, $at)
                ON CONFLICT (scope) DO UPDATE SET json = excluded.json, updated_at_ms = excluded.updated_at_ms;
                """, cancellationToken, ("$scope", scope), ("$json", JsonSerializer.Serialize(overrides, Json)),
                ("$at", time.GetUtcNow().ToUnixTimeMilliseconds()));
        }

        await SqliteDatabase.BumpChangeVersionAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
