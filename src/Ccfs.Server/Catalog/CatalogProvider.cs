using Ccfs.Server.Catalog.Postgres;
using Ccfs.Server.Catalog.Sqlite;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Catalog;

/// <summary>
/// The catalog's back-end, chosen once from the checked settings (<c>Ccfs:Catalog:Provider</c>): the database every store
/// is written against, and what only that back-end knows: which nodes are alive, whether IP locks are shared, its own
/// background work, how to describe a failure to start, and whether a catalog is there at all.
/// </summary>
/// <remarks>
/// Disposable both ways: a host disposed synchronously (as test hosts are) may not wait for an asynchronous disposal,
/// and a SQLite data dir must be free the moment its server is gone.
/// </remarks>
public abstract class CatalogProvider : IAsyncDisposable, IDisposable
{
    public abstract CatalogDatabase Database { get; }

    public abstract INodeRegistry Nodes { get; }

    public abstract ISharedIpLocks IpLocks { get; }

    /// <summary>Where the catalog lives, for people: a file, or a PostgreSQL schema.</summary>
    public abstract string Where { get; }

    public static CatalogProvider Create(CcfsSettings settings, NodeIdentity node, TimeProvider time, ILoggerFactory loggers) =>
        settings.UsesPostgres
            ? new PostgresProvider(settings.Catalog.ConnectionString!, settings.Catalog.WriteTimeout, settings.Node.LeaseDuration, node, time, loggers)
            : new SqliteProvider(settings.CatalogPath, settings.Catalog.WriteTimeout, node, time, loggers);

    /// <summary>Creates or upgrades the schema (<see cref="CatalogDatabase.MigrateAsync"/>) before anything else uses the catalog.</summary>
    public virtual Task<(int From, int To)> MigrateAsync(CancellationToken cancellationToken) => Database.MigrateAsync(cancellationToken);

    /// <summary>The back-end's own work, started once the catalog is migrated (lease renewals, change notifications).</summary>
    public virtual IEnumerable<IHostedService> BackgroundServices(IServiceProvider services) => [];

    /// <summary>Throws <see cref="CatalogUnavailableException"/> when the catalog's own files cannot be written (a file catalog's).</summary>
    public virtual void CheckWritable()
    {
    }

    /// <summary>The one line a start-up failure of this back-end's own kind prints; null when it is not one.</summary>
    public abstract string? DescribeStartupFailure(Exception exception);

    /// <summary>Why there is no catalog to read, for a command that only reads one (scrub); null when there is one.</summary>
    public abstract string? MissingCatalog();

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Database.DisposeAsync();
    }

    /// <summary>Waits for <see cref="DisposeAsync"/>: the writer commits what is queued on its own thread, so nothing here can deadlock.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
