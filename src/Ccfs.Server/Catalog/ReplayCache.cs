namespace Ccfs.Server.Catalog;

/// <summary>
/// The replay cache in the catalog's <c>replay_cache</c> table: on a shared catalog a signature one node accepted is
/// refused by every other. Expiry is judged by the node's clock, the one its signature check uses. Deferred: the write an
/// accepted request then makes is durable and comes later on the same writer, so whatever that request changed, its
/// signature is remembered with it.
/// </summary>
public sealed class ReplayCache
{
    private const string Remember = """
        INSERT INTO replay_cache (signature, expires_at_ms) VALUES (@signature, @expires) ON CONFLICT (signature) DO NOTHING;
        """;

    private readonly CatalogDatabase _database;
    private readonly TimeProvider _time;
    private readonly string _forgetExpired;

    public ReplayCache(CatalogDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        // Expired signatures go as new ones come, a few at a time; rows another node is deleting at that moment are skipped.
        _forgetExpired = $"""
            DELETE FROM replay_cache WHERE signature IN
                (SELECT signature FROM replay_cache WHERE expires_at_ms < @now LIMIT 100{database.Dialect.ForUpdateSkipLocked});
            """;
    }

    /// <summary>Remembers <paramref name="signature"/> until <paramref name="expiresAt"/>; false if it was remembered already.</summary>
    public Task<bool> TryRememberAsync(string signature, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        _database.Writer.WriteAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync(_forgetExpired, ct, ("now", _time.GetUtcNow().ToUnixTimeMilliseconds()));
            return await tx.ExecuteAsync(Remember, ct, ("signature", signature), ("expires", expiresAt.ToUnixTimeMilliseconds())) == 1;
        }, Durability.Deferred);
}
