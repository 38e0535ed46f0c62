using System.Globalization;
using System.Text.Json;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Metadata.Sqlite;

public sealed class SqliteParameterStore(SqliteDatabase database, TimeProvider time) : IParameterStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<long> ChangeVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM change_version WHERE id = 1;";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async Task<OverrideSet> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT scope, json FROM parameter_overrides;";
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return ParameterScopes.Read(rows, Json);
    }

    public Task SaveAsync(int? vdnId, ParameterOverrides overrides, CancellationToken cancellationToken) => database.Writer.WriteAsync((batch, _) =>
    {
        var scope = ParameterScopes.Name(vdnId);
        if (overrides.IsEmpty)
        {
            batch.Execute("DELETE FROM parameter_overrides WHERE scope = $scope;", ("$scope", scope));
        }
        else
        {
            batch.Execute("""
                INSERT INTO parameter_overrides (scope, json, updated_at_ms) VALUES ($scope, $json, $at)
                ON CONFLICT (scope) DO UPDATE SET json = excluded.json, updated_at_ms = excluded.updated_at_ms;
                """, ("$scope", scope), ("$json", JsonSerializer.Serialize(overrides, Json)), ("$at", time.GetUtcNow().ToUnixTimeMilliseconds()));
        }

        SqliteAccountStore.BumpChangeVersion(batch);
        return ValueTask.CompletedTask;
    });
}
