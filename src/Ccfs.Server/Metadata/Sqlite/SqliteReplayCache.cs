namespace Ccfs.Server.Metadata.Sqlite;

/// <summary>
/// The replay cache in the catalog's <c>replay_cache</c> table. Deferred: the write an accepted request then makes is
/// durable and comes later in the same WAL, so whatever that request changed, its signature is remembered with it.
/// </summary>
public sealed class SqliteReplayCache(SqliteDatabase database, TimeProvider time) : IReplayCache
{
    public Task<bool> TryRememberAsync(string signature, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync((batch, _) =>
        {
            // Expired signatures go as new ones come, a few at a time: the index makes it a short walk.
            batch.Execute("DELETE FROM replay_cache WHERE expires_at_ms < $now;", ("$now", time.GetUtcNow().ToUnixTimeMilliseconds()));
            return ValueTask.FromResult(batch.Execute("""
                INSERT INTO replay_cache (signature, expires_at_ms) VALUES ($signature, $expires) ON CONFLICT (signature) DO NOTHING;
                """, ("$signature", signature), ("$expires", expiresAt.ToUnixTimeMilliseconds())) == 1);
        }, Durability.Deferred);
}
