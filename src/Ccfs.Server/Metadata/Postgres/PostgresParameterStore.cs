using System.Text.Json;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Metadata.Postgres;

public sealed class PostgresParameterStore(PostgresDatabase database, TimeProvider time) : IParameterStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<long> ChangeVersionAsync(CancellationToken cancellationToken) =>
        (long)(await database.ScalarAsync("SELECT version FROM change_version WHERE id = 1;", cancellationToken))!;

    public async Task<OverrideSet> LoadAsync(CancellationToken cancellationToken) =>
        ParameterScopes.Read(await database.QueryAsync("SELECT scope, json FROM parameter_overrides;", r => (r.GetString(0), r.GetString(1)),
            cancellationToken), Json);

    public Task SaveAsync(int? vdnId, ParameterOverrides overrides, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(async (batch, ct) =>
        {
            var scope = ParameterScopes.Name(vdnId);
            if (overrides.IsEmpty)
            {
                await batch.ExecuteAsync("DELETE FROM parameter_overrides WHERE scope = @scope;", ct, ("scope", scope));
            }
            else
            {
                await batch.ExecuteAsync("""
                    INSERT INTO parameter_overrides (scope, json, updated_at_ms) VALUES (@scope, @json, @at)
                    ON CONFLICT (scope) DO UPDATE SET json = excluded.json, updated_at_ms = excluded.updated_at_ms;
                    """, ct, ("scope", scope), ("json", JsonSerializer.Serialize(overrides, Json)), ("at", time.GetUtcNow().ToUnixTimeMilliseconds()));
            }

            await PostgresAccountStore.AnnounceChangeAsync(batch, database, ct);
        });
}
