using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Metadata.Sqlite;

/// <summary>The file catalog in the embedded SQLite database. States: <see cref="FileState"/>; copies are 1 held, 2 deleting.</summary>
public sealed class SqliteFileCatalog(SqliteDatabase database, NodeIdentity node, TimeProvider time) : IFileCatalog
{
    private const string Columns = """
        f.path, f.file_name, f.vdn_id, f.size_bytes, f.sha256, f.encoding, f.duration_ms, f.access_key, f.created_at_ms,
        (SELECT group_concat(c.location_id, ',') FROM file_copies c WHERE c.path = f.path AND c.state = 1)
        """;

    private SqliteWriter Writer => database.Writer;

    public Task MigrateAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task<bool> TryReserveAsync(FileRecord record, CancellationToken cancellationToken) => Writer.WriteAsync((batch, _) =>
    {
        // The name is checked and taken in one statement: a savepoint-free way to answer "taken" without failing the batch.
        var inserted = batch.Execute("""
            INSERT INTO files (path, file_name, vdn_id, size_bytes, sha256, encoding, duration_ms, access_key, created_at_ms, state, owner)
            VALUES ($path, $fileName, $vdn, $size, $sha256, $encoding, $duration, $accessKey, $createdAt, 0, $owner)
            ON CONFLICT (path) DO NOTHING;
            """, ("$path", record.Path), ("$fileName", record.FileName), ("$vdn", record.VdnId), ("$size", record.SizeBytes),
            ("$sha256", record.Sha256), ("$encoding", record.Encoding), ("$duration", record.DurationMs), ("$accessKey", record.AccessKey),
            ("$createdAt", record.CreatedAt.ToUnixTimeMilliseconds()), ("$owner", node.Instance));
        return ValueTask.FromResult(inserted == 1);
    });

    public Task<CommitOutcome> CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken) =>
        Writer.WriteAsync((batch, _) =>
        {
            if (batch.Execute("UPDATE files SET state = 1, owner = NULL WHERE path = $path AND state = 0 AND owner = $owner;",
                    ("$path", path), ("$owner", node.Instance)) == 1)
            {
                InsertCopies(batch, path, locations);
                return ValueTask.FromResult(CommitOutcome.Stored);
            }

            var state = batch.Scalar("SELECT state FROM files WHERE path = $path;", ("$path", path));
            return ValueTask.FromResult(state is long s && s == (long)FileState.Stored ? CommitOutcome.AlreadyStored : CommitOutcome.Lost);
        }, Durability.Deferred);

    public Task ReleaseAsync(string path, CancellationToken cancellationToken) => Writer.WriteAsync((batch, _) =>
    {
        batch.Execute("DELETE FROM files WHERE path = $path AND state = 0 AND owner = $owner;", ("$path", path), ("$owner", node.Instance));
        return ValueTask.CompletedTask;
    }, Durability.Deferred);

    public async Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        var found = Query(connection, $"SELECT {Columns} FROM files f WHERE f.state = 1 AND f.path = $path;", ("$path", path));
        return found.Count == 0 ? null : found[0];
    }

    public Task<FileRecord?> BeginDeleteAsync(string path, CancellationToken cancellationToken) => Writer.WriteAsync((batch, _) =>
    {
        var found = Query(batch, $"SELECT {Columns} FROM files f WHERE f.state = 1 AND f.path = $path;", ("$path", path));
        if (found.Count == 0)
        {
            return ValueTask.FromResult<FileRecord?>(null);
        }

        batch.Execute("UPDATE files SET state = 2, owner = $owner WHERE path = $path;", ("$path", path), ("$owner", node.Instance));
        return ValueTask.FromResult<FileRecord?>(found[0]);
    });

    public Task RemoveAsync(string path, CancellationToken cancellationToken) => Writer.WriteAsync((batch, _) =>
    {
        batch.Execute("DELETE FROM files WHERE path = $path AND state <> 1;", ("$path", path));
        return ValueTask.CompletedTask;
    }, Durability.Deferred);

    public Task<CopyRemoval> BeginCopyDeleteAsync(string path, string locationId, CancellationToken cancellationToken) =>
        Writer.WriteAsync((batch, _) =>
        {
            long copies, held;
            using (var reader = batch.Query("""
                SELECT count(*), coalesce(sum(c.location_id = $location), 0) FROM file_copies c JOIN files f ON f.path = c.path
                WHERE f.path = $path AND f.state = 1 AND c.state = 1;
                """, ("$path", path), ("$location", locationId)))
            {
                reader.Read();
                copies = reader.GetInt64(0);
                held = reader.GetInt64(1);
            }

            if (held == 0)
            {
                return ValueTask.FromResult(CopyRemoval.NotHeld);
            }

            if (copies == 1)
            {
                batch.Execute("UPDATE files SET state = 2, owner = $owner WHERE path = $path;", ("$path", path), ("$owner", node.Instance));
                return ValueTask.FromResult(CopyRemoval.LastCopy);
            }

            batch.Execute("UPDATE file_copies SET state = 2, owner = $owner WHERE path = $path AND location_id = $location;",
                ("$path", path), ("$location", locationId), ("$owner", node.Instance));
            return ValueTask.FromResult(CopyRemoval.Marked);
        });

    public Task ForgetCopyAsync(string path, string locationId, CancellationToken cancellationToken) => Writer.WriteAsync((batch, _) =>
    {
        batch.Execute("DELETE FROM file_copies WHERE path = $path AND location_id = $location AND state = 2;",
            ("$path", path), ("$location", locationId));
        return ValueTask.CompletedTask;
    }, Durability.Deferred);

    public async Task<bool> IsBeingDeletedAsync(string path, string locationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT count(*) FROM files WHERE path = $path AND state = 2)
                 + (SELECT count(*) FROM file_copies WHERE path = $path AND location_id = $location AND state = 2);
            """;
        command.Parameters.AddWithValue("$path", path);
        command.Parameters.AddWithValue("$location", locationId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    public async Task<(FileState State, string? Owner)?> StateOfAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, owner FROM files WHERE path = $path;";
        command.Parameters.AddWithValue("$path", path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? ((FileState)reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1))
            : null;
    }

    public Task<bool> StoreRecoveredAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken) =>
        Writer.WriteAsync((batch, _) =>
        {
            if (batch.Execute("UPDATE files SET state = 1, owner = NULL WHERE path = $path AND state = 0;", ("$path", path)) != 1)
            {
                return ValueTask.FromResult(false);
            }

            InsertCopies(batch, path, locations);
            return ValueTask.FromResult(true);
        });

    public async Task<IReadOnlyList<UnfinishedWork>> ListUnfinishedAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        var work = new List<UnfinishedWork>();
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns}, f.state, NULL, f.owner FROM files f WHERE f.state <> 1
            UNION ALL
            SELECT {Columns}, f.state, c.location_id, c.owner FROM file_copies c JOIN files f ON f.path = c.path WHERE c.state = 2
            ORDER BY 9 LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            work.Add(new UnfinishedWork(Read(reader), (FileState)reader.GetInt32(10), reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.IsDBNull(12) ? null : reader.GetString(12)));
        }

        return work;
    }

    public async Task<IReadOnlyList<FileRecord>> ListStoredAsync(int? vdnId, string? afterPath, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        return Query(connection, $"""
            SELECT {Columns} FROM files f
            WHERE f.state = 1 AND ($vdn IS NULL OR f.vdn_id = $vdn) AND ($after IS NULL OR f.path > $after)
            ORDER BY f.path LIMIT $limit;
            """, ("$vdn", vdnId), ("$after", afterPath), ("$limit", limit));
    }

    public async Task<IReadOnlyList<FileRecord>> ListNewestFirstAsync(int vdnId, NewestFirstCursor? after, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        return Query(connection, $"""
            SELECT {Columns} FROM files f
            WHERE f.state = 1 AND f.vdn_id = $vdn
              AND ($afterMs IS NULL OR f.created_at_ms < $afterMs OR (f.created_at_ms = $afterMs AND f.path < $afterPath))
            ORDER BY f.created_at_ms DESC, f.path DESC LIMIT $limit;
            """, ("$vdn", vdnId), ("$afterMs", after?.CreatedAt.ToUnixTimeMilliseconds()), ("$afterPath", after?.Path), ("$limit", limit));
    }

    public async Task<IReadOnlyList<VdnSummary>> ListVdnsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT vdn_id, count(*), coalesce(sum(size_bytes), 0) FROM files WHERE state = 1 GROUP BY vdn_id ORDER BY vdn_id;";
        var vdns = new List<VdnSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            vdns.Add(new VdnSummary(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return vdns;
    }

    public Task ProbeWriteAsync(CancellationToken cancellationToken) => Writer.WriteAsync((batch, _) =>
    {
        batch.Execute("UPDATE catalog_probe SET node = $node, at_ms = $at WHERE id = 1;", ("$node", node.Instance),
            ("$at", time.GetUtcNow().ToUnixTimeMilliseconds()));
        return ValueTask.CompletedTask;
    });

    private static void InsertCopies(SqliteBatch batch, string path, IReadOnlyList<string> locations)
    {
        foreach (var location in locations)
        {
            batch.Execute("INSERT OR REPLACE INTO file_copies (path, location_id, state, owner) VALUES ($path, $location, 1, NULL);",
                ("$path", path), ("$location", location));
        }
    }

    private static List<FileRecord> Query(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        using var reader = command.ExecuteReader();
        return ReadAll(reader);
    }

    private static List<FileRecord> Query(SqliteBatch batch, string sql, params (string Name, object? Value)[] parameters)
    {
        using var reader = batch.Query(sql, parameters);
        return ReadAll(reader);
    }

    private static List<FileRecord> ReadAll(SqliteDataReader reader)
    {
        var records = new List<FileRecord>();
        while (reader.Read())
        {
            records.Add(Read(reader));
        }

        return records;
    }

    private static FileRecord Read(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
            reader.GetInt64(6), reader.GetString(7), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
            reader.IsDBNull(9) ? [] : reader.GetString(9).Split(','));
}
