namespace Ccfs.Server.Metadata.Postgres;

/// <summary>
/// The replay cache in the shared catalog: a signature one node accepted is refused by every other. Expiry is judged by
/// the node's clock, the one its signature check uses (nodes keep their clocks in step, as auth-v2 already needs).
/// </summary>
public sealed class PostgresReplayCache(PostgresDatabase database, TimeProvider time) : IReplayCache
{
    public Task<bool> TryRememberAsync(string signature, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(async (batch, ct) =>
        {
            // Expired rows another node is deleting at the same moment are skipped, so two batches never wait on each other.
            await batch.ExecuteAsync("""
                DELETE FROM replay_cache WHERE signature IN
                    (SELECT signature FROM replay_cache WHERE expires_at < @now LIMIT 100 FOR UPDATE SKIP LOCKED);
                """, ct, ("now", time.GetUtcNow()));
            return await batch.ExecuteAsync("""
                INSERT INTO replay_cache (signature, expires_at) VALUES (@signature, @expires) ON CONFLICT (signature) DO NOTHING;
                """, ct, ("signature", signature), ("expires", expiresAt)) == 1;
        }, Durability.Deferred);
}
