using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>
/// The embedded catalog: <c>{DataDir}/catalog.db</c> in WAL mode, owned by this one process (<see cref="DataDirLock"/>,
/// taken before the first migration), so every other node instance's unfinished work was left by a process that ended
/// and nothing is shared with other nodes. Reads use pooled connections; waits for a database another process holds are
/// bounded by the write timeout in SQLite's own busy handler.
/// </summary>
public sealed class SqliteProvider : CatalogProvider
{
    private readonly string _path;
    private readonly string _readConnectionString;
    private DataDirLock? _ownership;

    public SqliteProvider(string path, TimeSpan writeTimeout, NodeIdentity node, TimeProvider time, ILoggerFactory loggers)
    {
        _path = path;
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = true,
            DefaultTimeout = TimeoutSeconds(writeTimeout),
        }.ToString();
        var reads = SqliteFactory.Instance.CreateDataSource(_readConnectionString);
        var writer = new CatalogWriter(new SqliteWriteConnection(path, time), writeTimeout, time, loggers.CreateLogger<CatalogWriter>());
        Database = new CatalogDatabase(SqliteDialect.Instance, reads, writer);
        Nodes = new SingleNodeRegistry(node);
    }

    /// <summary>For tools and tests that read or set up a catalog file outside a server.</summary>
    public SqliteProvider(string path)
        : this(path, TimeSpan.FromSeconds(5), new NodeIdentity("tool"), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
    {
    }

    public override CatalogDatabase Database { get; }

    public override INodeRegistry Nodes { get; }

    public override ISharedIpLocks IpLocks { get; } = new UnsharedIpLocks();

    public override string Where => _path;

    /// <summary>
    /// Takes the data dir lock first (from the first migration on, the catalog belongs to this process), and refuses to
    /// start on catalog files that cannot be written rather than let SQLite meet them.
    /// </summary>
    public override Task<(int From, int To)> MigrateAsync(CancellationToken cancellationToken)
    {
        _ownership ??= DataDirLock.Acquire(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        if (SqliteFiles.Unwritable(_path) is { } problem)
        {
            throw new Hosting.CcfsStartupException(problem);
        }

        return base.MigrateAsync(cancellationToken);
    }

    public override void CheckWritable()
    {
        if (SqliteFiles.Unwritable(_path) is { } problem)
        {
            throw new CatalogUnavailableException(problem, refusing: true);
        }
    }

    public override string? DescribeStartupFailure(Exception exception) =>
        exception is System.Data.Common.DbException db ? $"the catalog {_path} cannot be used: {db.Message}" : null;

    public override string? MissingCatalog() => File.Exists(_path) ? null : $"there is no catalog at {_path}; is Ccfs:DataDir right?";

    /// <summary>
    /// Stops the writer, closes this catalog's pooled read connections (they keep its files open, and a data dir removed
    /// after the server, as <c>--ephemeral</c> does, must not be held), and lets the data dir go, whatever failed before.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
            using var pooled = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
        finally
        {
            _ownership?.Dispose();
        }
    }

    internal static int TimeoutSeconds(TimeSpan timeout) => Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
}
