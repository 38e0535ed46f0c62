using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Metadata;

/// <summary>The file catalog in the embedded SQLite database.</summary>
public sealed class SqliteFileCatalog(SqliteDatabase database) : IFileCatalog
{
    private const int SqliteConstraintError = 19;
    private const int WriteProbeTimeoutSeconds = 2;

    public SqliteFileCatalog(string databasePath)
        : this(new SqliteDatabase(databasePath))
    {
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public async Task<bool> TryReserveAsync(FileRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO files (path, file_name, vdn_id, size_bytes, sha256, encoding, duration_ms, access_key, created_at_ms, state)
            VALUES ($path, $fileName, $vdn, $size, $sha256, $encoding, $duration, $accessKey, $createdAt, 0);
            """;
        command.Parameters.AddWithValue("$path", record.Path);
        command.Parameters.AddWithValue("$fileName", record.FileName);
        command.Parameters.AddWithValue("$vdn", record.VdnId);
        command.Parameters.AddWithValue("$size", record.SizeBytes);
        command.Parameters.AddWithValue("$sha256", record.Sha256);
        command.Parameters.AddWithValue("$encoding", record.Encoding);
        command.Parameters.AddWithValue("$duration", record.DurationMs);
        command.Parameters.AddWithValue("$accessKey", record.AccessKey);
        command.Parameters.AddWithValue("$createdAt", record.CreatedAt.ToUnixTimeMilliseconds());
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraintError)
        {
            return false;
        }
    }

    public async Task CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var location in locations)
        {
            await using var copy = connection.CreateCommand();
            copy.CommandText = "INSERT INTO file_copies (path, location_id) VALUES ($path, $location);";
            copy.Parameters.AddWithValue("$path", path);
            copy.Parameters.AddWithValue("$location", location);
            await copy.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var commit = connection.CreateCommand();
        commit.CommandText = "UPDATE files SET state = 1 WHERE path = $path AND state = 0;";
        commit.Parameters.AddWithValue("$path", path);
        if (await commit.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"'{path}' has no pending reservation to commit");
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task ReleaseAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM files WHERE path = $path AND state = 0;";
        command.Parameters.AddWithValue("$path", path);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var found = await QueryAsync(connection, "WHERE f.state = 1 AND f.path = $path", path, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<FileRecord?> BeginDeleteAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var found = await QueryAsync(connection, "WHERE f.state = 1 AND f.path = $path", path, cancellationToken);
        if (found.Count == 0)
        {
            return null;
        }

        await SqliteDatabase.ExecuteAsync(connection, "UPDATE files SET state = 2 WHERE path = $path;", cancellationToken, ("$path", path));
        await transaction.CommitAsync(cancellationToken);
        return found[0];
    }

    public async Task RemoveAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await SqliteDatabase.ExecuteAsync(connection, "DELETE FROM files WHERE path = $path;", cancellationToken, ("$path", path));
    }

    public async Task<CopyRemoval> RemoveCopyAsync(string path, string locationId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = """
            SELECT count(*), sum(c.location_id = $location) FROM file_copies c JOIN files f ON f.path = c.path
            WHERE f.path = $path AND f.state = 1;
            """;
        count.Parameters.AddWithValue("$path", path);
        count.Parameters.AddWithValue("$location", locationId);
        long copies, held;
        await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            copies = reader.GetInt64(0);
            held = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
        }

        if (held == 0)
        {
            return CopyRemoval.NotHeld;
        }

        if (copies == 1)
        {
            await SqliteDatabase.ExecuteAsync(connection, "UPDATE files SET state = 2 WHERE path = $path;", cancellationToken, ("$path", path));
        }
        else
        {
            await SqliteDatabase.ExecuteAsync(connection, "DELETE FROM file_copies WHERE path = $path AND location_id = $location;",
                cancellationToken, ("$path", path), ("$location", locationId));
        }

        await transaction.CommitAsync(cancellationToken);
        return copies == 1 ? CopyRemoval.LastCopy : CopyRemoval.Removed;
    }

    public async Task<IReadOnlyList<FileRecord>> ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await QueryAsync(connection, "WHERE f.state <> 1", null, cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Taking the write lock, then letting it go, proves a write could start now (file, journal and lock) without
        // writing anything. A writer holding the lock longer than the probe waits makes the node not ready: so would
        // every upload be stuck behind it.
        command.CommandText = "BEGIN IMMEDIATE; ROLLBACK;";
        command.CommandTimeout = WriteProbeTimeoutSeconds;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<FileRecord>> ListStoredAsync(int? vdnId, string? afterPath, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await QueryAsync(connection, """
            WHERE f.state = 1 AND ($vdn IS NULL OR f.vdn_id = $vdn) AND ($after IS NULL OR f.path > $after)
            ORDER BY f.path LIMIT $limit
            """, cancellationToken, ("$vdn", vdnId), ("$after", afterPath), ("$limit", limit));
    }

    public async Task<IReadOnlyList<FileRecord>> ListNewestFirstAsync(int vdnId, NewestFirstCursor? after, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await QueryAsync(connection, """
            WHERE f.state = 1 AND f.vdn_id = $vdn
              AND ($afterMs IS NULL OR f.created_at_ms < $afterMs OR (f.created_at_ms = $afterMs AND f.path < $afterPath))
            ORDER BY f.created_at_ms DESC, f.path DESC LIMIT $limit
            """, cancellationToken, ("$vdn", vdnId), ("$afterMs", after?.CreatedAt.ToUnixTimeMilliseconds()), ("$afterPath", after?.Path),
            ("$limit", limit));
    }

    public async Task<IReadOnlyList<VdnSummary>> ListVdnsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
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

    private static Task<IReadOnlyList<FileRecord>> QueryAsync(SqliteConnection connection, string where, string? path,
        CancellationToken cancellationToken) =>
        QueryAsync(connection, where + " ORDER BY f.created_at_ms, f.path", cancellationToken, ("$path", path));

    private static async Task<IReadOnlyList<FileRecord>> QueryAsync(SqliteConnection connection, string tail,
        CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT f.path, f.file_name, f.vdn_id, f.size_bytes, f.sha256, f.encoding, f.duration_ms, f.access_key, f.created_at_ms,
                   (SELECT group_concat(c.location_id, ',') FROM file_copies c WHERE c.path = f.path)
            FROM files f {tail};
            """;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var records = new List<FileRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var locations = reader.IsDBNull(9) ? [] : reader.GetString(9).Split(',');
            records.Add(new FileRecord(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.GetString(4), reader.GetString(5), reader.GetInt64(6), reader.GetString(7),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)), locations));
        }

        return records;
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => database.OpenAsync(cancellationToken);

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
