using System.Collections.Concurrent;
using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;

namespace Ccfs.Server.Events;

/// <summary>
/// Hands out the delivery work of this node: woken by each local write that carried events and every
/// <c>Ccfs:Events:PollInterval</c> (for events of other nodes and retries that fall due), it claims the cursors that
/// have events waiting and are free (no claim, or a claim of an instance that is gone) and runs a
/// <see cref="StreamDelivery"/> for each, at most <c>Ccfs:Events:MaxConcurrentDeliveries</c> per subscription, so one
/// slow receiver holds only its own deliveries. It also gives new VDNs their cursors, runs redeliveries by id, and
/// keeps the backlog metric.
/// </summary>
public sealed partial class EventDispatcher(EventOutbox outbox, DeliveryStore deliveries, SubscriptionStore subscriptions, EventStore events,
    StreamDelivery streams, WebhookSender sender, MasterKey masterKey, INodeRegistry nodes, NodeIdentity node, EventOptions options,
    EventMetrics metrics, TimeProvider time, ILogger<EventDispatcher> logger) : BackgroundService
{
    private const int DuePerPass = 256;

    private readonly ConcurrentDictionary<(string, int), Task> _running = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.Ordinal);
    private Task _redelivering = Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = outbox.NextWrite;
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(logger, e);
            }

            try
            {
                await Task.WhenAny(wake, Task.Delay(options.PollInterval, time, stoppingToken)).WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Deliveries under way end with the token; their claims are let go by the node's leaving, or run out with its lease.
        await Task.WhenAll(_running.Values.Append(_redelivering)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>One look for work; public so tests can run one without waiting for the timer.</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        await deliveries.DiscoverStreamsAsync(cancellationToken);
        var now = time.GetUtcNow();
        var due = await deliveries.DueAsync(now, DuePerPass, cancellationToken);
        if (due.Count > 0)
        {
            var live = await nodes.LiveInstancesAsync(cancellationToken);
            foreach (var (subscriptionId, vdnId, claimedBy) in due)
            {
                if ((_running.TryGetValue((subscriptionId, vdnId), out var running) && !running.IsCompleted) || (claimedBy is not null && claimedBy != node.Instance && live.Contains(claimedBy)))
                {
                    continue;
                }

                var slots = _slots.GetOrAdd(subscriptionId, _ => new SemaphoreSlim(options.MaxConcurrentDeliveries));
                if (!slots.Wait(0, CancellationToken.None))
                {
                    continue;
                }

                if (!await deliveries.ClaimAsync(subscriptionId, vdnId, claimedBy, node.Instance, cancellationToken))
                {
                    slots.Release();
                    continue;
                }

                _running[(subscriptionId, vdnId)] = RunAsync(subscriptionId, vdnId, slots, cancellationToken);
            }
        }

        if (_redelivering.IsCompleted)
        {
            _redelivering = RedeliverAsync(cancellationToken);
        }

        var all = await subscriptions.ListAsync(cancellationToken);
        metrics.ObserveBacklog(all.Where(s => s.Enabled).Select(s => s.Id), await deliveries.OldestUndeliveredAsync(cancellationToken), now);
    }

    private async Task RunAsync(string subscriptionId, int vdnId, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await streams.RunAsync(subscriptionId, vdnId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The claim stays with this live instance: let it go, so the next pass (on any node) picks the cursor up.
            LogStreamFailed(logger, e, subscriptionId, vdnId);
            try
            {
                await deliveries.ReleaseAsync(subscriptionId, vdnId, node.Instance, null, CancellationToken.None);
            }
            catch (Exception release) when (release is not OperationCanceledException)
            {
                LogStreamFailed(logger, release, subscriptionId, vdnId);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _running.TryRemove((subscriptionId, vdnId), out _);
            slots.Release();
            // It may have stopped with events left (a claim lost and given back): look again soon.
            outbox.Wake();
        }
    }

    /// <summary>Redeliveries by id: each is tried once, outside its VDN's order; delivered, it leaves the dead letter.</summary>
    private async Task RedeliverAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var due = await deliveries.DueRedeliveriesAsync(32, cancellationToken);
            if (due.Count == 0)
            {
                return;
            }

            var live = await nodes.LiveInstancesAsync(cancellationToken);
            foreach (var (subscriptionId, eventId, claimedBy) in due)
            {
                if ((claimedBy is not null && claimedBy != node.Instance && live.Contains(claimedBy))
                    || !await deliveries.ClaimRedeliveryAsync(subscriptionId, eventId, claimedBy, node.Instance, cancellationToken))
                {
                    continue;
                }

                await RedeliverOneAsync(subscriptionId, eventId, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPassFailed(logger, e);
        }
    }

    private async Task RedeliverOneAsync(string subscriptionId, string eventId, CancellationToken cancellationToken)
    {
        var subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
        var e = await events.FindAsync(eventId, cancellationToken);
        if (subscription is null || e is null || !SubscriptionSecrets.TryOpen(masterKey, subscription, out var key))
        {
            await deliveries.FinishRedeliveryAsync(subscriptionId, eventId, null, null, delivered: false, cancellationToken);
            return;
        }

        var result = await sender.SendAsync(new Uri(subscription.Url), e.Id, CloudEventFormat.Encode(e), key, cancellationToken);
        var at = time.GetUtcNow();
        var delivered = result.Verdict == DeliveryVerdict.Delivered;
        var outcome = delivered ? "delivered" : "dead-letter";
        metrics.Attempts.WithLabels(delivered ? "delivered" : "dead_letter").Inc();
        var attempt = new DeliveryAttempt(subscriptionId, e.Id, e.VdnId, e.Sequence, 1, outcome, result.StatusCode, result.Error, at, result.DurationMs);
        var dead = delivered ? null : new DeadLetter(subscriptionId, e.Id, e.VdnId, e.Sequence, "redelivery failed: " + (result.Error ?? "refused"),
            result.StatusCode, at);
        await deliveries.FinishRedeliveryAsync(subscriptionId, eventId, attempt, dead, delivered, cancellationToken);
    }

    [LoggerMessage(LogLevel.Warning, "Looking for events to deliver failed; the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Delivering the events of VDN {Vdn} to subscription {Subscription} stopped on a failure; the next pass resumes it")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception, string subscription, int vdn);
}
