using Ccfs.Server.Audit;
using Ccfs.Server.Configuration;
using Ccfs.Server.Metadata.Postgres;
using Ccfs.Server.Metadata.Sqlite;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Metadata;

/// <summary>
/// The catalog's services, by <c>Ccfs:Catalog:Provider</c>. The choice is made when a service is first resolved, from the
/// checked settings, not while services are registered: configuration can still be added after that (tests do), and a
/// half-read provider key must never leave a server on the wrong catalog.
/// </summary>
public static class CatalogRegistration
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSqliteCatalog();
        services.AddPostgresCatalog();
        services.AddSingleton<IFileCatalog>(sp => Pick<IFileCatalog, SqliteFileCatalog, PostgresFileCatalog>(sp));
        services.AddSingleton<IAccountStore>(sp => Pick<IAccountStore, SqliteAccountStore, PostgresAccountStore>(sp));
        services.AddSingleton<IParameterStore>(sp => Pick<IParameterStore, SqliteParameterStore, PostgresParameterStore>(sp));
        services.AddSingleton<IAuditStore>(sp => Pick<IAuditStore, SqliteAuditStore, PostgresAuditStore>(sp));
        services.AddSingleton<INodeRegistry>(sp => Pick<INodeRegistry, SingleNodeRegistry, PostgresNodeRegistry>(sp));
        services.AddSingleton<IReplayCache>(sp => Pick<IReplayCache, SqliteReplayCache, PostgresReplayCache>(sp));
        services.AddSingleton<ISharedIpLocks>(sp => Pick<ISharedIpLocks, UnsharedIpLocks, PostgresIpLocks>(sp));
        return services;
    }

    private static TService Pick<TService, TSqlite, TPostgres>(IServiceProvider services)
        where TSqlite : TService
        where TPostgres : TService
        where TService : notnull =>
        services.GetRequiredService<CcfsSettings>().UsesPostgres
            ? services.GetRequiredService<TPostgres>()
            : services.GetRequiredService<TSqlite>();
}

/// <summary>
/// The catalog's own background work, started after start-up recovery has migrated it: for PostgreSQL, renewing this
/// node's lease and listening for changes other nodes make; SQLite needs none.
/// </summary>
public sealed class CatalogBackground(IServiceProvider services, CcfsSettings settings, CcfsMetrics metrics) : IHostedService
{
    private readonly List<IHostedService> _started = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ICatalogWriterCounters writer = settings.UsesPostgres
            ? services.GetRequiredService<PostgresDatabase>().Writer
            : services.GetRequiredService<SqliteDatabase>().Writer;
        metrics.ObserveCatalog(writer);
        if (!settings.UsesPostgres)
        {
            return;
        }

        foreach (var service in new IHostedService[]
                 {
                     services.GetRequiredService<PostgresNodeRegistry>(), services.GetRequiredService<PostgresChangeListener>(),
                 })
        {
            await service.StartAsync(cancellationToken);
            _started.Add(service);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(cancellationToken);
        }
    }
}
