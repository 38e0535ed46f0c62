using Ccfs.Server.Configuration;

namespace Ccfs.Server.Events;

public static class EventsRegistration
{
    /// <summary>
    /// Webhook delivery of the events the catalog's outbox holds: the sender, the dispatcher and the retention sweep.
    /// Registered after the lifecycle, so start-up recovery has migrated the catalog before the dispatcher reads it.
    /// </summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddSingleton(sp => sp.GetRequiredService<CcfsSettings>().Events);
        services.AddSingleton(sp => new DestinationPolicy(sp.GetRequiredService<CcfsSettings>().AllowsPrivateDestinations));
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<EventMetrics>();
        services.AddSingleton<SubscriptionChanges>();
        services.AddSingleton<SlotDemand>();
        services.AddSingleton<StreamDelivery>();
        services.AddSingleton<EventDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<EventDispatcher>());
        services.AddHostedService<EventRetention>();
        return services;
    }
}
