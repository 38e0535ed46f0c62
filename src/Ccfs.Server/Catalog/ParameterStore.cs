using System.Globalization;
using System.Text.Json;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Catalog;

/// <summary>
/// Run-time parameter overrides in the catalog's <c>parameter_overrides</c> table, one JSON row per scope, so every node
/// and every restart sees them.
/// </summary>
public sealed class ParameterStore(CatalogDatabase database, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Upsert = """
        INSERT INTO parameter_overrides (scope, json, updated_at_ms) VALUES (@scope, @json, @at)
        ON CONFLICT (scope) DO UPDATE SET json = excluded.json, updated_at_ms = excluded.updated_at_ms;
        """;

    /// <summary>A number that changes whenever parameters or accounts change; nodes poll it.</summary>
    public async Task<long> ChangeVersionAsync(CancellationToken cancellationToken) =>
        Convert.ToInt64(await database.ScalarAsync("SELECT version FROM change_version WHERE id = 1;", cancellationToken), CultureInfo.InvariantCulture);

    public async Task<OverrideSet> LoadAsync(CancellationToken cancellationToken) =>
        ParameterScopes.Read(await database.QueryAsync("SELECT scope, json FROM parameter_overrides;", r => (r.GetString(0), r.GetString(1)),
            cancellationToken), Json);

    /// <summary>Replaces one scope's overrides (<c>global</c>, or a VDN); empty overrides remove the scope.</summary>
    public Task SaveAsync(int? vdnId, ParameterOverrides overrides, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(async (tx, ct) =>
        {
            var scope = ParameterScopes.Name(vdnId);
            if (overrides.IsEmpty)
            {
                await tx.ExecuteAsync("DELETE FROM parameter_overrides WHERE scope = @scope;", ct, ("scope", scope));
            }
            else
            {
                await tx.ExecuteAsync(Upsert, ct, ("scope", scope), ("json", JsonSerializer.Serialize(overrides, Json)),
                    ("at", time.GetUtcNow().ToUnixTimeMilliseconds()));
            }

            await database.AnnounceChangeAsync(tx, ct);
        });
}
