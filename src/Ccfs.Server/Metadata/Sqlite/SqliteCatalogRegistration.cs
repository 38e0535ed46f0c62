using Ccfs.Server.Audit;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Metadata.Sqlite;

public static class SqliteCatalogRegistration
{
    /// <summary>The embedded catalog: <c>{DataDir}/catalog.db</c>, owned by this one process.</summary>
    public static IServiceCollection AddSqliteCatalog(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<CcfsSettings>();
            return new SqliteDatabase(settings.CatalogPath, settings.Catalog.WriteTimeout, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton<IFileCatalog, SqliteFileCatalog>();
        services.AddSingleton<IAccountStore, SqliteAccountStore>();
        services.AddSingleton<IParameterStore, SqliteParameterStore>();
        services.AddSingleton<IAuditStore, SqliteAuditStore>();
        services.AddSingleton<INodeRegistry, SingleNodeRegistry>();
        return services;
    }
}
