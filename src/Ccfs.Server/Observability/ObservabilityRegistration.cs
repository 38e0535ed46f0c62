using Prometheus;

namespace Ccfs.Server.Observability;

public static class ObservabilityRegistration
{
    /// <summary>The Prometheus registry, the connection gauges and the request journal.</summary>
    public static IServiceCollection AddObservability(this IServiceCollection services)
    {
        services.AddSingleton<CcfsMetrics>();
        services.AddSingleton<RequestJournal>();
        services.AddHostedService<ConnectionMetrics>();
        return services;
    }

    /// <summary>
    /// Every request is timed and counted per interface (<see cref="InterfaceCallMiddleware"/>), and <c>/metrics</c>
    /// serves the registry.
    /// </summary>
    public static void UseObservability(this WebApplication app)
    {
        app.UseMiddleware<InterfaceCallMiddleware>();
        app.MapMetrics("/metrics", app.Services.GetRequiredService<CcfsMetrics>().Registry);
    }
}
