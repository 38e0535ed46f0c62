using Ccfs.Server.Audit;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Metadata.Postgres;

public static class PostgresCatalogRegistration
{
    /// <summary>The catalog every node shares: <c>Ccfs:Catalog:ConnectionString</c>, with node leases and change notifications.</summary>
    public static IServiceCollection AddPostgresCatalog(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<CcfsSettings>();
            return new PostgresDatabase(settings.Catalog.ConnectionString!, settings.Catalog.WriteTimeout, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton<IFileCatalog, PostgresFileCatalog>();
        services.AddSingleton<IAccountStore, PostgresAccountStore>();
        services.AddSingleton<IParameterStore, PostgresParameterStore>();
        services.AddSingleton<IAuditStore, PostgresAuditStore>();
        services.AddSingleton<PostgresNodeRegistry>();
        services.AddSingleton<INodeRegistry>(sp => sp.GetRequiredService<PostgresNodeRegistry>());
        return services;
    }

    /// <summary>The lease renewal and the change listener; registered after start-up recovery, which migrates the schema.</summary>
    public static IServiceCollection AddPostgresCatalogServices(this IServiceCollection services)
    {
        services.AddHostedService(sp => sp.GetRequiredService<PostgresNodeRegistry>());
        services.AddHostedService<PostgresChangeListener>();
        return services;
    }
}
