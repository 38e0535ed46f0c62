using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Metadata.Sqlite;

/// <summary>
/// The embedded SQLite file that holds the catalog, run-time parameters, accounts and the audit trail, in WAL mode.
/// Every write goes through <see cref="Writer"/>, the one connection that writes; reads use pooled connections of their
/// own and run alongside it. Waits for a database another process holds are bounded by <paramref name="writeTimeout"/>
/// in SQLite's own busy handler, so Microsoft.Data.Sqlite's 150 ms sleep-and-retry loop never runs.
/// </summary>
public sealed class SqliteDatabase : IAsyncDisposable
{
    private readonly string _readConnectionString;
    private DataDirLock? _ownership;

    public SqliteDatabase(string path, TimeSpan writeTimeout, TimeProvider time, ILoggerFactory loggers)
    {
        Path = path;
        WriteTimeout = writeTimeout;
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = TimeoutSeconds(writeTimeout) };
        _readConnectionString = builder.ToString();
        Writer = new SqliteWriter(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString(), writeTimeout, time,
            loggers.CreateLogger<SqliteWriter>());
    }

    /// <summary>For tools and tests that read or set up a catalog file outside a server.</summary>
    public SqliteDatabase(string path)
        : this(path, TimeSpan.FromSeconds(5), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
    {
    }

    public string Path { get; }

    public TimeSpan WriteTimeout { get; }

    public SqliteWriter Writer { get; }

    /// <summary>A pooled connection for reading; it never writes.</summary>
    public async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Takes the data dir lock (<see cref="DataDirLock"/>: the catalog belongs to this process from now on), then
    /// creates or upgrades the schema in one transaction.
    /// </summary>
    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        _ownership ??= DataDirLock.Acquire(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        return Writer.WriteAsync((batch, _) =>
        {
            var version = Convert.ToInt32(batch.Scalar("SELECT coalesce(max(version), 0) FROM schema_version;"), CultureInfo.InvariantCulture);
            for (var next = version; next < SqliteSchema.Migrations.Count; next++)
            {
                batch.Execute(SqliteSchema.Migrations[next]);
                batch.Execute("INSERT INTO schema_version (version) VALUES ($v);", ("$v", next + 1));
            }

            return ValueTask.CompletedTask;
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        _ownership?.Dispose();
    }

    internal static int TimeoutSeconds(TimeSpan timeout) => Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
}
