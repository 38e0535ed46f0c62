using Ccfs.Server.Audit;

namespace Ccfs.Server.Catalog;

/// <summary>The audit trail in the catalog's <c>audit</c> table; on a shared catalog, every node's entries in one trail.</summary>
public sealed class AuditStore(CatalogDatabase database) : IAuditStore
{
    private const string Insert = """
        INSERT INTO audit (at_ms, access_key, vdn_id, client_ip, interface, file, result_code, duration_ms, repeats, detail)
        VALUES (@at, @ak, @vdn, @ip, @interface, @file, @code, @duration, @repeats, @detail);
        """;

    private const string Query = """
        SELECT id, at_ms, access_key, vdn_id, client_ip, interface, file, result_code, duration_ms, repeats, detail FROM audit
        WHERE (CAST(@before AS BIGINT) IS NULL OR id < @before) AND (CAST(@ak AS TEXT) IS NULL OR access_key = @ak)
          AND (CAST(@vdn AS INTEGER) IS NULL OR vdn_id = @vdn) AND (CAST(@interface AS TEXT) IS NULL OR interface = @interface)
          AND (CAST(@file AS TEXT) IS NULL OR file = @file)
        ORDER BY id DESC LIMIT @limit;
        """;

    /// <summary>
    /// Deferred: the entries are committed (a process crash keeps them) and reach the disk itself with the next durable
    /// commit; only a power cut can take the last few, as it could take the entries still queued in memory. An fsync of
    /// their own would double the fsyncs of a lone upload.
    /// </summary>
    public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) => database.Writer.WriteAsync(async (tx, ct) =>
    {
        foreach (var e in entries)
        {
            await tx.ExecuteAsync(Insert, ct, ("at", e.At.ToUnixTimeMilliseconds()), ("ak", e.AccessKey), ("vdn", e.VdnId), ("ip", e.ClientIp),
                ("interface", e.Interface), ("file", e.File), ("code", e.ResultCode), ("duration", e.DurationMs), ("repeats", e.Repeats),
                ("detail", e.Detail));
        }
    }, Durability.Deferred);

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
        await database.QueryAsync(Query, r => new AuditEntry(r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
            r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3), r.GetString(4), r.GetString(5),
            r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7), r.GetInt64(8), r.GetInt64(9),
            r.IsDBNull(10) ? null : r.GetString(10)), cancellationToken, ("before", query.Before),
            ("ak", query.AccessKey), ("vdn", query.VdnId), ("interface", query.Interface), ("file", query.File), ("limit", query.Limit));

    public Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        database.PurgeBeforeAsync("audit", "id", cutoff, cancellationToken);
}
