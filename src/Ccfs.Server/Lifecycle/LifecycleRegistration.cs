using Ccfs.Server.Catalog;

namespace Ccfs.Server.Lifecycle;

public static class LifecycleRegistration
{
    /// <summary>
    /// What moves files through the catalog and the stores: the upload writer, removal, recovery and scrub. Start-up
    /// recovery runs first of the hosted services (it migrates the catalog); the catalog's own background work after it.
    /// </summary>
    public static IServiceCollection AddLifecycle(this IServiceCollection services)
    {
        services.AddSingleton<IntegrityMetrics>();
        services.AddSingleton<WorkInProgress>();
        services.AddSingleton<LateWrites>();
        services.AddSingleton<WorkRecovery>();
        services.AddSingleton<FileRemoval>();
        services.AddSingleton<Scrubber>();
        services.AddSingleton<PromptWriter>();
        services.AddSingleton<PromptInspection>();
        services.AddHostedService<StartupRecovery>();
        services.AddCatalogBackground();
        services.AddHostedService<RecoverySweeper>();
        return services;
    }
}
