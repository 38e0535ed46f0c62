using Npgsql;

namespace Ccfs.Server.Catalog.Postgres;

/// <summary>
/// The PostgreSQL catalog every node shares, in the schema the connection string's search path names (<c>public</c> by
/// default): node leases say which instances are alive, IP locks are shared, and changes to accounts and parameters are
/// announced on the schema's change channel.
/// </summary>
public sealed class PostgresProvider : CatalogProvider
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresDialect _dialect = new();
    private readonly PostgresNodeRegistry _nodes;

    /// <param name="lease">How long this node counts as alive after it last renewed its lease (<c>Ccfs:Node:LeaseDuration</c>).</param>
    public PostgresProvider(string connectionString, TimeSpan writeTimeout, TimeSpan lease, NodeIdentity node, TimeProvider time,
        ILoggerFactory loggers)
    {
        var builder = Configure(connectionString, writeTimeout);
        CancellationThreads.Reserve(builder.MaxPoolSize);
        _dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).UseLoggerFactory(loggers).Build();
        var writer = new CatalogWriter(new PostgresWriteConnection(_dataSource, _dialect), writeTimeout, time, loggers.CreateLogger<CatalogWriter>());
        Database = new CatalogDatabase(_dialect, _dataSource, writer);
        _nodes = new PostgresNodeRegistry(Database, node, lease, loggers.CreateLogger<PostgresNodeRegistry>());
        IpLocks = new PostgresIpLocks(Database);
        Where = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database} (schema {builder.SearchPath ?? "public"})";
    }

    /// <summary>The settings every connection of the catalog opens with, from the configured connection string.</summary>
    public static NpgsqlConnectionStringBuilder Configure(string connectionString, TimeSpan writeTimeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var seconds = Math.Max(1, (int)Math.Ceiling(writeTimeout.TotalSeconds));
        builder.MaxAutoPrepare = builder.MaxAutoPrepare == 0 ? 64 : builder.MaxAutoPrepare;
        // Every wait on the database is bounded on this side too, so a server that is frozen (a stopped VM, a path that
        // drops packets) rather than down is met in bounded time: opening a connection, each command (lock and statement
        // timeouts only bound a server that still answers), the cancellation sent after a command's timeout, and idle
        // pooled connections, which TCP keepalive finds dead. Values the connection string sets itself are kept.
        builder.Timeout = builder.Timeout == 15 ? seconds : builder.Timeout;
        builder.CommandTimeout = builder.CommandTimeout == 30 ? seconds : builder.CommandTimeout;
        builder.CancellationTimeout = builder.CancellationTimeout == 2000 ? 1000 : builder.CancellationTimeout;
        if (!builder.TcpKeepAlive && builder.TcpKeepAliveTime == 0)
        {
            builder.TcpKeepAlive = true;
            builder.TcpKeepAliveTime = 10;
            builder.TcpKeepAliveInterval = 5;
        }

        // A node frozen inside a transaction (SIGSTOP, a paused VM) would hold its row locks until TCP keepalive ends the
        // connection, hours on PostgreSQL's side, failing every other node's writes to those rows meanwhile. PostgreSQL ends
        // a transaction left idle this long and lets its locks go; no write of ccfs leaves one idle for more than a moment.
        if (builder.Options?.Contains(IdleInTransactionTimeout, StringComparison.Ordinal) != true)
        {
            var idle = (long)(2 * writeTimeout.TotalMilliseconds);
            builder.Options = $"{builder.Options} -c {IdleInTransactionTimeout}={idle}".TrimStart();
        }

        builder.ApplicationName ??= "ccfs";
        return builder;
    }

    /// <summary>Set to twice <c>Ccfs:Catalog:WriteTimeout</c> for every connection, unless the connection string's <c>Options</c> set it.</summary>
    public const string IdleInTransactionTimeout = "idle_in_transaction_session_timeout";

    public override CatalogDatabase Database { get; }

    public override INodeRegistry Nodes => _nodes;

    public override ISharedIpLocks IpLocks { get; }

    public override string Where { get; }

    public override IEnumerable<IHostedService> BackgroundServices(IServiceProvider services) =>
    [
        _nodes,
        new PostgresChangeListener(_dataSource, _dialect, services.GetRequiredService<CatalogSync>(),
            services.GetRequiredService<ILogger<PostgresChangeListener>>()),
    ];

    public override string? DescribeStartupFailure(Exception exception) =>
        exception is System.Data.Common.DbException e ? $"the PostgreSQL catalog cannot be used: {e.Message}" : null;

    public override string? MissingCatalog() => null;
}
