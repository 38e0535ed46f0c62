using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ccfs.Server.Health;

public static class HealthRegistration
{
    /// <summary>Readiness: the catalog takes a write, and every location takes a file.</summary>
    public static IServiceCollection AddReadiness(this IServiceCollection services)
    {
        services.AddHealthChecks();
        services.AddOptions<HealthCheckServiceOptions>().Configure<CcfsSettings>((options, settings) =>
        {
            // Each check answers within its own bound, whatever the catalog or a store does (a frozen one never answers).
            var timeout = settings.Limits.ReadinessTimeout;
            options.Registrations.Add(new HealthCheckRegistration("catalog",
                sp => new CatalogHealthCheck(sp.GetRequiredService<CatalogProvider>(), sp.GetRequiredService<IFileCatalog>()),
                HealthStatus.Unhealthy, [ReadinessReport.Tag], timeout));
            foreach (var location in settings.Locations)
            {
                options.Registrations.Add(new HealthCheckRegistration($"location:{location.Id}",
                    sp => new LocationHealthCheck(sp.GetRequiredService<LocationSet>().Find(location.Id)!,
                        sp.GetRequiredService<Parameters.IParameterSource>()), HealthStatus.Unhealthy,
                    [ReadinessReport.Tag], timeout));
            }
        });
        return services;
    }

    /// <summary><c>/livez</c> and <c>/healthz</c> (the process answers) and <c>/readyz</c> (it can store now).</summary>
    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessReport.Tag),
            ResponseWriter = ReadinessReport.WriteAsync,
        });
    }
}
