using Ccfs.Server.Audit;

namespace Ccfs.Server.Metadata.Sqlite;

/// <summary>The audit trail in the catalog's <c>audit</c> table.</summary>
public sealed class SqliteAuditStore(SqliteDatabase database) : IAuditStore
{
    /// <summary>
    /// Deferred: the entries are in the WAL (so a process crash keeps them) and reach the disk itself with the next
    /// durable commit or checkpoint; only a power cut can take the last few, as it could take the entries still queued in
    /// memory. An fsync of their own would double the fsyncs of a lone upload.
    /// </summary>
    public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) => database.Writer.WriteAsync((batch, _) =>
    {
        foreach (var e in entries)
        {
            batch.Execute("""
                INSERT INTO audit (at_ms, access_key, vdn_id, client_ip, interface, file, result_code, duration_ms)
                VALUES ($at, $ak, $vdn, $ip, $interface, $file, $code, $duration);
                """, ("$at", e.At.ToUnixTimeMilliseconds()), ("$ak", e.AccessKey), ("$vdn", e.VdnId), ("$ip", e.ClientIp),
                ("$interface", e.Interface), ("$file", e.File), ("$code", e.ResultCode), ("$duration", e.DurationMs));
        }

        return ValueTask.CompletedTask;
    }, Durability.Deferred);

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, at_ms, access_key, vdn_id, client_ip, interface, file, result_code, duration_ms FROM audit
            WHERE ($before IS NULL OR id < $before) AND ($ak IS NULL OR access_key = $ak) AND ($vdn IS NULL OR vdn_id = $vdn)
              AND ($interface IS NULL OR interface = $interface) AND ($file IS NULL OR file = $file)
            ORDER BY id DESC LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$before", (object?)query.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("$ak", (object?)query.AccessKey ?? DBNull.Value);
        command.Parameters.AddWithValue("$vdn", (object?)query.VdnId ?? DBNull.Value);
        command.Parameters.AddWithValue("$interface", (object?)query.Interface ?? DBNull.Value);
        command.Parameters.AddWithValue("$file", (object?)query.File ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", query.Limit);
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3), reader.GetString(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7), reader.GetInt64(8)));
        }

        return entries;
    }

    /// <summary>Purges in chunks, each a write of its own, so a large purge never holds the writer for long.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        const int chunk = 5000;
        var total = 0;
        int removed;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            removed = await database.Writer.WriteAsync((batch, _) => ValueTask.FromResult(batch.Execute(
                "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at_ms < $cutoff ORDER BY id LIMIT $chunk);",
                ("$cutoff", cutoff.ToUnixTimeMilliseconds()), ("$chunk", chunk))), Durability.Deferred);
            total += removed;
        }
        while (removed == chunk);

        return total;
    }
}
