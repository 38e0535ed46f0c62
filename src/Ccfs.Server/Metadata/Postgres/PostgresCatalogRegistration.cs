using Ccfs.Server.Configuration;

namespace Ccfs.Server.Metadata.Postgres;

public static class PostgresCatalogRegistration
{
    /// <summary>The shared catalog's parts: <c>Ccfs:Catalog:ConnectionString</c>, with node leases and change notifications.</summary>
    public static IServiceCollection AddPostgresCatalog(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<CcfsSettings>();
            return new PostgresDatabase(settings.Catalog.ConnectionString!, settings.Catalog.WriteTimeout, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton<PostgresFileCatalog>();
        services.AddSingleton<PostgresAccountStore>();
        services.AddSingleton<PostgresParameterStore>();
        services.AddSingleton<PostgresAuditStore>();
        services.AddSingleton<PostgresNodeRegistry>();
        services.AddSingleton<PostgresChangeListener>();
        services.AddSingleton<PostgresReplayCache>();
        services.AddSingleton<PostgresIpLocks>();
        return services;
    }
}
