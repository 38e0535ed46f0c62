using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Metadata;

/// <summary>
/// The embedded SQLite file that holds the catalog, run-time parameters, accounts and the audit trail: WAL journal and
/// <c>synchronous=FULL</c>, so a commit is on disk; migrations applied in order at start-up.
/// </summary>
public sealed class SqliteDatabase(string path)
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    public string Path => path;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", cancellationToken);
        return connection;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version;";
        var version = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        for (var next = version; next < SqliteSchema.Migrations.Count; next++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, SqliteSchema.Migrations[next], cancellationToken);
            await ExecuteAsync(connection, $"INSERT INTO schema_version (version) VALUES ({next + 1});", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    public static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Bumps the change counter other nodes poll (parameters and accounts).</summary>
    public static Task BumpChangeVersionAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, "UPDATE change_version SET version = version + 1 WHERE id = 1;", cancellationToken);
}
