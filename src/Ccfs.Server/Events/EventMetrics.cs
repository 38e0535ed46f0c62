using Ccfs.Server.Catalog;
using Ccfs.Server.Observability;
using Prometheus;

namespace Ccfs.Server.Events;

/// <summary>
/// The events' metrics, in the server's registry: events written, delivery attempts by outcome, how long after its
/// change an event reached its receiver, and per subscription the age of the oldest event still waiting for it.
/// </summary>
public sealed class EventMetrics
{
    private readonly Gauge _oldest;
    private HashSet<string> _subscriptions = [];

    public EventMetrics(CcfsMetrics metrics, EventOutbox outbox)
    {
        var factory = Metrics.WithCustomRegistry(metrics.Registry);
        var written = factory.CreateCounter("ccfs_events_written_total", "Events this node wrote to the outbox (file stored or deleted)");
        metrics.Registry.AddBeforeCollectCallback(() => written.IncTo(outbox.Count));
        Attempts = factory.CreateCounter("ccfs_event_deliveries_total",
            "Webhook delivery attempts by outcome: delivered, retry (failed, tried again later), dead_letter, disabled (410)", "outcome");
        Lag = factory.CreateHistogram("ccfs_event_delivery_lag_seconds", "From the change an event reports to its receiver's 2xx answer",
            new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60, 300, 3600] });
        _oldest = factory.CreateGauge("ccfs_events_oldest_undelivered_age_seconds",
            "Per enabled subscription: how long the oldest event it has not yet received has waited (0: none waits)", "subscription");
    }

    public Counter Attempts { get; }

    public Histogram Lag { get; }

    /// <summary>Sets each subscription's oldest waiting event's age; subscriptions with none waiting read 0.</summary>
    public void ObserveBacklog(IEnumerable<string> subscriptions, IReadOnlyList<(string SubscriptionId, DateTimeOffset OldestAt)> oldest,
        DateTimeOffset now)
    {
        var current = subscriptions.ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _subscriptions.Except(current))
        {
            _oldest.RemoveLabelled(gone);
        }

        var ages = oldest.ToDictionary(o => o.SubscriptionId, o => Math.Max(0, (now - o.OldestAt).TotalSeconds), StringComparer.Ordinal);
        foreach (var id in current)
        {
            _oldest.WithLabels(id).Set(ages.GetValueOrDefault(id));
        }

        _subscriptions = current;
    }
}
