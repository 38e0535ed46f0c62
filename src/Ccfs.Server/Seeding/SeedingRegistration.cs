using Ccfs.Server.Catalog;

namespace Ccfs.Server.Seeding;

public static class SeedingRegistration
{
    /// <summary>Seeding (at start from <c>--seed</c>, and by the admin API) and the rehearsal's reset; after the lifecycle, whose recovery runs first.</summary>
    public static IServiceCollection AddSeeding(this IServiceCollection services)
    {
        services.AddSingleton<CatalogReset>();
        services.AddSingleton<Seeder>();
        services.AddSingleton<RehearsalReset>();
        services.AddHostedService<SeedAtStart>();
        return services;
    }
}
