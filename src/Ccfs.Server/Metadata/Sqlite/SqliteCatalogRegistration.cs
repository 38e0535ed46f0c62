using Ccfs.Server.Configuration;

namespace Ccfs.Server.Metadata.Sqlite;

public static class SqliteCatalogRegistration
{
    /// <summary>The embedded catalog's parts: <c>{DataDir}/catalog.db</c>, owned by this one process.</summary>
    public static IServiceCollection AddSqliteCatalog(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<CcfsSettings>();
            return new SqliteDatabase(settings.CatalogPath, settings.Catalog.WriteTimeout, sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton<SqliteFileCatalog>();
        services.AddSingleton<SqliteAccountStore>();
        services.AddSingleton<SqliteParameterStore>();
        services.AddSingleton<SqliteAuditStore>();
        services.AddSingleton<SingleNodeRegistry>();
        services.AddSingleton<SqliteReplayCache>();
        services.AddSingleton<UnsharedIpLocks>();
        return services;
    }
}
