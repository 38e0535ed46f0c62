using Npgsql;

namespace Ccfs.Server.Metadata.Postgres;

/// <summary>
/// The file catalog in PostgreSQL, shared by every node. States as in <see cref="FileState"/>; copies are 1 held,
/// 2 deleting. Decisions several nodes could race for are made in one statement or under the file row's lock: a name
/// is taken by <c>INSERT … ON CONFLICT DO NOTHING</c>, a commit or recovery only moves a row from the state it expects,
/// and a copy delete locks the file row (<c>FOR UPDATE</c>) before it counts the copies left.
/// </summary>
public sealed class PostgresFileCatalog(PostgresDatabase database, NodeIdentity node) : IFileCatalog
{
    private const string Columns = """
        f.path, f.file_name, f.vdn_id, f.size_bytes, f.sha256, f.encoding, f.duration_ms, f.access_key, f.created_at_ms,
        (SELECT string_agg(c.location_id, ',' ORDER BY c.ordinal, c.location_id) FROM file_copies c WHERE c.path = f.path AND c.state = 1)
        """;

    private PostgresWriter Writer => database.Writer;

    public Task MigrateAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task<bool> TryReserveAsync(FileRecord record, CancellationToken cancellationToken) => Writer.WriteAsync(async (batch, ct) =>
        await batch.ExecuteAsync("""
            INSERT INTO files (path, file_name, vdn_id, size_bytes, sha256, encoding, duration_ms, access_key, created_at_ms, state, owner)
            VALUES (@path, @fileName, @vdn, @size, @sha256, @encoding, @duration, @accessKey, @createdAt, 0, @owner)
            ON CONFLICT (path) DO NOTHING;
            """, ct, ("path", record.Path), ("fileName", record.FileName), ("vdn", record.VdnId), ("size", record.SizeBytes),
            ("sha256", record.Sha256), ("encoding", record.Encoding), ("duration", record.DurationMs), ("accessKey", record.AccessKey),
            ("createdAt", record.CreatedAt.ToUnixTimeMilliseconds()), ("owner", node.Instance)) == 1);

    public Task<CommitOutcome> CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken) =>
        Writer.WriteAsync(async (batch, ct) =>
        {
            if (await batch.ExecuteAsync("UPDATE files SET state = 1, owner = NULL WHERE path = @path AND state = 0 AND owner = @owner;", ct,
                    ("path", path), ("owner", node.Instance)) == 1)
            {
                await InsertCopiesAsync(batch, path, locations, ct);
                return CommitOutcome.Stored;
            }

            var state = await batch.ScalarAsync("SELECT state FROM files WHERE path = @path;", ct, ("path", path));
            return state is short s && s == (short)FileState.Stored ? CommitOutcome.AlreadyStored : CommitOutcome.Lost;
        }, Durability.Deferred);

    public Task ReleaseAsync(string path, CancellationToken cancellationToken) => Writer.WriteAsync(async (batch, ct) =>
        await batch.ExecuteAsync("DELETE FROM files WHERE path = @path AND state = 0 AND owner = @owner;", ct,
            ("path", path), ("owner", node.Instance)), Durability.Deferred);

    public async Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken)
    {
        var found = await database.QueryAsync($"SELECT {Columns} FROM files f WHERE f.state = 1 AND f.path = @path;", Read,
            cancellationToken, ("path", path));
        return found.Count == 0 ? null : found[0];
    }

    public Task<FileRecord?> BeginDeleteAsync(string path, CancellationToken cancellationToken) => Writer.WriteAsync(async (batch, ct) =>
    {
        var found = await batch.QueryAsync($"SELECT {Columns} FROM files f WHERE f.state = 1 AND f.path = @path FOR UPDATE;", Read, ct,
            ("path", path));
        if (found.Count == 0)
        {
            return null;
        }

        await batch.ExecuteAsync("UPDATE files SET state = 2, owner = @owner WHERE path = @path;", ct, ("path", path), ("owner", node.Instance));
        return found[0];
    });

    public Task RemoveAsync(string path, CancellationToken cancellationToken) => Writer.WriteAsync(async (batch, ct) =>
        await batch.ExecuteAsync("DELETE FROM files WHERE path = @path AND state <> 1;", ct, ("path", path)), Durability.Deferred);

    public Task<CopyRemoval> BeginCopyDeleteAsync(string path, string locationId, CancellationToken cancellationToken) =>
        Writer.WriteAsync(async (batch, ct) =>
        {
            // The file row's lock makes two nodes deleting the last two copies take turns: the second sees one copy left.
            if (await batch.ScalarAsync("SELECT 1 FROM files WHERE path = @path AND state = 1 FOR UPDATE;", ct, ("path", path)) is null)
            {
                return CopyRemoval.NotHeld;
            }

            var counts = await batch.QueryAsync("""
                SELECT count(*), count(*) FILTER (WHERE location_id = @location) FROM file_copies WHERE path = @path AND state = 1;
                """, r => (Copies: r.GetInt64(0), Held: r.GetInt64(1)), ct, ("path", path), ("location", locationId));
            var (copies, held) = counts[0];
            if (held == 0)
            {
                return CopyRemoval.NotHeld;
            }

            if (copies == 1)
            {
                await batch.ExecuteAsync("UPDATE files SET state = 2, owner = @owner WHERE path = @path;", ct, ("path", path),
                    ("owner", node.Instance));
                return CopyRemoval.LastCopy;
            }

            await batch.ExecuteAsync("UPDATE file_copies SET state = 2, owner = @owner WHERE path = @path AND location_id = @location;", ct,
                ("path", path), ("location", locationId), ("owner", node.Instance));
            return CopyRemoval.Marked;
        });

    public Task ForgetCopyAsync(string path, string locationId, CancellationToken cancellationToken) => Writer.WriteAsync(async (batch, ct) =>
        await batch.ExecuteAsync("DELETE FROM file_copies WHERE path = @path AND location_id = @location AND state = 2;", ct,
            ("path", path), ("location", locationId)), Durability.Deferred);

    public async Task<bool> IsBeingDeletedAsync(string path, string locationId, CancellationToken cancellationToken) =>
        await database.ScalarAsync("""
            SELECT EXISTS (SELECT 1 FROM files WHERE path = @path AND state = 2)
                OR EXISTS (SELECT 1 FROM file_copies WHERE path = @path AND location_id = @location AND state = 2);
            """, cancellationToken, ("path", path), ("location", locationId)) is true;

    public async Task<(FileState State, string? Owner)?> StateOfAsync(string path, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync("SELECT state, owner FROM files WHERE path = @path;",
            r => ((FileState)r.GetInt16(0), r.IsDBNull(1) ? null : r.GetString(1)), cancellationToken, ("path", path));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<bool> StoreRecoveredAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken) =>
        Writer.WriteAsync(async (batch, ct) =>
        {
            if (await batch.ExecuteAsync("UPDATE files SET state = 1, owner = NULL WHERE path = @path AND state = 0;", ct, ("path", path)) != 1)
            {
                return false;
            }

            await InsertCopiesAsync(batch, path, locations, ct);
            return true;
        });

    public Task<IReadOnlyList<UnfinishedWork>> ListUnfinishedAsync(int limit, CancellationToken cancellationToken) =>
        Cast(database.QueryAsync($"""
            SELECT * FROM (
                SELECT {Columns}, f.state, NULL::text AS location_id, f.owner FROM files f WHERE f.state <> 1
                UNION ALL
                SELECT {Columns}, f.state, c.location_id, c.owner FROM file_copies c JOIN files f ON f.path = c.path WHERE c.state = 2
            ) w ORDER BY created_at_ms LIMIT @limit;
            """, r => new UnfinishedWork(Read(r), (FileState)r.GetInt16(10), r.IsDBNull(11) ? null : r.GetString(11),
            r.IsDBNull(12) ? null : r.GetString(12)), cancellationToken, ("limit", limit)));

    public Task<IReadOnlyList<FileRecord>> ListStoredAsync(int? vdnId, string? afterPath, int limit, CancellationToken cancellationToken) =>
        Cast(database.QueryAsync($"""
            SELECT {Columns} FROM files f
            WHERE f.state = 1 AND (@vdn::integer IS NULL OR f.vdn_id = @vdn) AND (@after::text IS NULL OR f.path > @after)
            ORDER BY f.path LIMIT @limit;
            """, Read, cancellationToken, ("vdn", vdnId), ("after", afterPath), ("limit", limit)));

    public Task<IReadOnlyList<FileRecord>> ListNewestFirstAsync(int vdnId, NewestFirstCursor? after, int limit,
        CancellationToken cancellationToken) =>
        Cast(database.QueryAsync($"""
            SELECT {Columns} FROM files f
            WHERE f.state = 1 AND f.vdn_id = @vdn
              AND (@afterMs::bigint IS NULL OR f.created_at_ms < @afterMs
                   OR (f.created_at_ms = @afterMs AND f.path < @afterPath::text))
            ORDER BY f.created_at_ms DESC, f.path DESC LIMIT @limit;
            """, Read, cancellationToken, ("vdn", vdnId), ("afterMs", after?.CreatedAt.ToUnixTimeMilliseconds()), ("afterPath", after?.Path),
            ("limit", limit)));

    public Task<IReadOnlyList<VdnSummary>> ListVdnsAsync(CancellationToken cancellationToken) =>
        Cast(database.QueryAsync("""
            SELECT vdn_id, count(*), coalesce(sum(size_bytes), 0)::bigint FROM files WHERE state = 1 GROUP BY vdn_id ORDER BY vdn_id;
            """, r => new VdnSummary(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken));

    public Task ProbeWriteAsync(CancellationToken cancellationToken) => Writer.WriteAsync(async (batch, ct) =>
        await batch.ExecuteAsync("UPDATE catalog_probe SET node = @node, at = now() WHERE id = 1;", ct, ("node", node.Instance)));

    private static async Task InsertCopiesAsync(PostgresBatch batch, string path, IReadOnlyList<string> locations, CancellationToken ct)
    {
        for (var i = 0; i < locations.Count; i++)
        {
            await batch.ExecuteAsync("""
                INSERT INTO file_copies (path, location_id, state, owner, ordinal) VALUES (@path, @location, 1, NULL, @ordinal)
                ON CONFLICT (path, location_id) DO UPDATE SET state = 1, owner = NULL, ordinal = excluded.ordinal;
                """, ct, ("path", path), ("location", locations[i]), ("ordinal", (short)i));
        }
    }

    private static async Task<IReadOnlyList<T>> Cast<T>(Task<List<T>> rows) => await rows;

    private static FileRecord Read(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
            reader.GetInt64(6), reader.GetString(7), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
            reader.IsDBNull(9) ? [] : reader.GetString(9).Split(','));
}
