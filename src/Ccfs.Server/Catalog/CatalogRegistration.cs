using Ccfs.Server.Audit;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Catalog;

/// <summary>
/// The catalog's services. The back-end is chosen once, when the <see cref="CatalogProvider"/> is first resolved, from the
/// checked settings, not while services are registered: configuration can still be added after that (tests do), and a
/// half-read provider key must never leave a server on the wrong catalog. Every store is the same code on either.
/// </summary>
public static class CatalogRegistration
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton(sp => new NodeIdentity(sp.GetRequiredService<CcfsSettings>().Node.Name ?? Environment.MachineName));
        services.AddSingleton(sp => CatalogProvider.Create(sp.GetRequiredService<CcfsSettings>(), sp.GetRequiredService<NodeIdentity>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<CatalogProvider>().Database);
        services.AddSingleton(sp => sp.GetRequiredService<CatalogProvider>().Nodes);
        services.AddSingleton(sp => sp.GetRequiredService<CatalogProvider>().IpLocks);
        services.AddSingleton<EventOutbox>();
        services.AddSingleton<DeleteMarks>();
        services.AddSingleton<IFileCatalog, FileCatalog>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<RetentionStore>();
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<ParameterStore>();
        services.AddSingleton<IAuditStore, AuditStore>();
        services.AddSingleton<ReplayCache>();
        services.AddSingleton<CatalogSync>();
        return services;
    }

    /// <summary>The catalog's background work; registered after start-up recovery, which migrates the catalog first.</summary>
    public static IServiceCollection AddCatalogBackground(this IServiceCollection services)
    {
        services.AddHostedService<CatalogBackground>();
        services.AddHostedService<CatalogWatcher>();
        return services;
    }
}

/// <summary>
/// The catalog's own background work, started after start-up recovery has migrated it: the back-end's services (for
/// PostgreSQL, renewing this node's lease and listening for changes other nodes make) and the writer's metrics.
/// </summary>
public sealed class CatalogBackground(IServiceProvider services, CatalogProvider provider, CcfsMetrics metrics) : IHostedService
{
    private readonly List<IHostedService> _started = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveCatalog(provider.Database.Writer);
        foreach (var service in provider.BackgroundServices(services))
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
