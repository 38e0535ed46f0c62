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
    EventMetrics metrics, SubscriptionChanges changes, SlotDemand demand, TimeProvider time, ILogger<EventDispatcher> logger) : BackgroundService
{
    private const int DuePerPass = 256;

    private readonly ConcurrentDictionary<(string, int), Task> _running = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _redelivering = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string, int), bool> _unreleased = new();

    private volatile bool _refresh = true;
    private int _liveCount = 1;
    private bool _anyEnabled = true;
    private IReadOnlyList<StoredSubscription> _enabled = [];
    private Dictionary<string, DateTimeOffset> _seen = [];

    /// <summary>Says subscriptions changed on this node (created, enabled, rewound): the next pass reads them again at once.</summary>
    public void Refresh() => _ = RefreshAsync();

    /// <summary>
    /// As <see cref="Refresh"/>; completes once no request under the settings before the change is being handed to its
    /// connection any more, so an admin call that awaits it answers only when none will be (docs/events.md, Signatures).
    /// </summary>
    public Task RefreshAsync()
    {
        _refresh = true;
        var handed = changes.ChangedAsync();
        outbox.Wake();
        return handed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastFull = long.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = outbox.NextWrite;
            var full = _refresh || lastFull == long.MinValue || time.GetElapsedTime(lastFull) >= options.PollInterval;
            try
            {
                if (full)
                {
                    _refresh = false;
                    lastFull = time.GetTimestamp();
                }

                await PassAsync(full, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(logger, e);
            }

            try
            {
                var untilFull = options.PollInterval - time.GetElapsedTime(lastFull);
                await Task.WhenAny(wake, Task.Delay(untilFull > TimeSpan.Zero ? untilFull : TimeSpan.Zero, time, stoppingToken)).WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Deliveries under way end with the token; their claims are let go by the node's leaving, or run out with its lease.
        await Task.WhenAll(_running.Values.Concat(_redelivering.Values)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// One look for work. A full pass (every <c>Ccfs:Events:PollInterval</c>, and after a change to subscriptions) also
    /// reads the subscriptions, runs redeliveries and updates the backlog metric; a pass woken by a write only gives new
    /// VDNs their cursors and hands out the cursors with events waiting, and not even that while no subscription is
    /// enabled, so an upload costs the dispatcher next to nothing.
    /// </summary>
    public async Task PassAsync(bool full, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var touched = outbox.TakeTouched();
        if (full)
        {
            var all = await subscriptions.ListAsync(cancellationToken);
            var seen = all.ToDictionary(s => s.Id, s => s.UpdatedAt, StringComparer.Ordinal);
            if (seen.Count != _seen.Count || seen.Any(s => !_seen.TryGetValue(s.Key, out var at) || at != s.Value))
            {
                // Changed here or on another node: deliveries that keep their claims read their subscription again.
                changes.Changed();
                _seen = seen;
            }

            _enabled = [.. all.Where(s => s.Enabled)];
            _anyEnabled = _enabled.Count > 0;
            metrics.ObserveBacklog(all.Where(s => s.Enabled).Select(s => s.Id),
                _anyEnabled ? await deliveries.OldestUndeliveredAsync(cancellationToken) : [], now);
            if (_anyEnabled)
            {
                await StartRedeliveriesAsync(cancellationToken);
            }
        }

        if (!_anyEnabled)
        {
            return;
        }

        // Woken by writes whose VDNs every subscription is delivering here already: those deliveries read the events.
        if (!full && touched.Count > 0 && touched.All(vdn => vdn != 0 && _enabled.Where(s => s.VdnIds is null || s.VdnIds.Contains(vdn))
                .All(s => _running.TryGetValue((s.Id, vdn), out var task) && !task.IsCompleted)))
        {
            return;
        }

        // A VDN's first event may have come with this write: its cursors are made before they are looked for.
        await deliveries.DiscoverStreamsAsync(cancellationToken);

        // Claims a failed delivery could not give back (the catalog was out of reach): the cursors this node holds are
        // not looked for, so they are given back first.
        foreach (var (subscriptionId, vdnId) in _unreleased.Keys)
        {
            if (!_running.ContainsKey((subscriptionId, vdnId)))
            {
                await deliveries.ReleaseAsync(subscriptionId, vdnId, node.Instance, null, cancellationToken);
                _unreleased.TryRemove((subscriptionId, vdnId), out _);
            }
        }

        // The cursors this node delivers are not read, and of each subscription only as many as could start here (its
        // slots) besides those other live nodes may hold (as many each): so a subscription whose slots are all busy
        // fills no more than its share of a page, and pages are read until the last, so none waits behind it.
        IReadOnlySet<string>? live = null;
        var waiting = new HashSet<string>(StringComparer.Ordinal);
        (string, int)? after = null;
        while (true)
        {
            var due = await deliveries.DueAsync(now, node.Instance, options.MaxConcurrentDeliveries * _liveCount, DuePerPass, after,
                cancellationToken);
            if (due.Count > 0 && live is null)
            {
                live = await nodes.LiveInstancesAsync(cancellationToken);
                _liveCount = Math.Max(1, live.Count);
            }

            // The most overdue of each subscription first, so they have its free slots.
            foreach (var (subscriptionId, vdnId, claimedBy, _) in due.OrderBy(d => d.Rank))
            {
                if ((_running.TryGetValue((subscriptionId, vdnId), out var running) && !running.IsCompleted)
                    || (claimedBy is not null && claimedBy != node.Instance && live!.Contains(claimedBy)))
                {
                    continue;
                }

                var slots = _slots.GetOrAdd(subscriptionId, _ => new SemaphoreSlim(options.MaxConcurrentDeliveries));
                if (!slots.Wait(0, CancellationToken.None))
                {
                    // Its deliveries that caught up are told, so they give their slots to these.
                    if (waiting.Add(subscriptionId))
                    {
                        demand.Found(waiting);
                    }

                    continue;
                }

                if (!await deliveries.ClaimAsync(subscriptionId, vdnId, claimedBy, node.Instance, cancellationToken))
                {
                    slots.Release();
                    continue;
                }

                _running[(subscriptionId, vdnId)] = RunAsync(subscriptionId, vdnId, slots, cancellationToken);
            }

            if (due.Count < DuePerPass)
            {
                demand.Found(waiting);
                return;
            }

            // The next page goes on from the last cursor of this one: those claimed meanwhile move no other out of it.
            after = (due[^1].SubscriptionId, due[^1].VdnId);
        }
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
                // A failure that persists (a catalog out of reach) is met once per poll interval, not in a tight loop.
                await Task.Delay(options.PollInterval, time, cancellationToken);
                await deliveries.ReleaseAsync(subscriptionId, vdnId, node.Instance, null, CancellationToken.None);
            }
            catch (Exception release) when (release is not OperationCanceledException)
            {
                LogStreamFailed(logger, release, subscriptionId, vdnId);
                _unreleased[(subscriptionId, vdnId)] = true;
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

    /// <summary>
    /// Redeliveries by id: each is tried once, outside its VDN's order; delivered, it leaves the dead letter. Each
    /// subscription's are tried in the order asked, by a task of their own, so one slow receiver holds up only its own.
    /// </summary>
    private async Task StartRedeliveriesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var due = await deliveries.DueRedeliveriesAsync(32, cancellationToken);
            if (due.Count == 0)
            {
                return;
            }

            var live = await nodes.LiveInstancesAsync(cancellationToken);
            foreach (var queue in due.GroupBy(d => d.SubscriptionId, StringComparer.Ordinal))
            {
                if (!_redelivering.TryGetValue(queue.Key, out var running) || running.IsCompleted)
                {
                    _redelivering[queue.Key] = RedeliverAsync([.. queue], live, cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPassFailed(logger, e);
        }
    }

    private async Task RedeliverAsync(IReadOnlyList<(string SubscriptionId, string EventId, string? ClaimedBy)> queue,
        IReadOnlySet<string> live, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            foreach (var (subscriptionId, eventId, claimedBy) in queue)
            {
                if ((claimedBy is not null && claimedBy != node.Instance && live.Contains(claimedBy))
                    || !await deliveries.ClaimRedeliveryAsync(subscriptionId, eventId, claimedBy, node.Instance, cancellationToken))
                {
                    continue;
                }

                if (!await RedeliverOneAsync(subscriptionId, eventId, cancellationToken))
                {
                    // Gone: the subscription is disabled, and its other redeliveries wait until it is enabled again. Or
                    // changed: they wait for the next pass, which reads it again.
                    return;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPassFailed(logger, e);
        }
    }

    /// <summary>
    /// False when the receiver answered 410 Gone, which disables the subscription as it does in order, or when the
    /// subscription changed before the request went (the rest of the queue waits for the next pass to read it again).
    /// </summary>
    private async Task<bool> RedeliverOneAsync(string subscriptionId, string eventId, CancellationToken cancellationToken)
    {
        var version = changes.Version;
        var subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
        var e = await events.FindAsync(eventId, cancellationToken);
        // Checked again here: the event may have been queued before the check at the admin call existed.
        if (subscription is null || e is null || !subscription.Covers(e.VdnId, e.Type)
            || !SubscriptionSecrets.TryOpen(masterKey, subscription, out var keys))
        {
            await deliveries.FinishRedeliveryAsync(subscriptionId, eventId, null, null, delivered: false, cancellationToken);
            return true;
        }

        var result = await sender.SendAsync(new Uri(subscription.Url), e.Id, CloudEventFormat.Encode(e), keys, cancellationToken,
            changes.Gate(version));
        if (result.Verdict == DeliveryVerdict.NotSent)
        {
            // Changed since it was read: let it go, so the next pass tries it under the subscription as it is now.
            await deliveries.ReleaseRedeliveryAsync(subscriptionId, eventId, node.Instance, cancellationToken);
            return false;
        }

        var at = time.GetUtcNow();
        var delivered = result.Verdict == DeliveryVerdict.Delivered;
        var gone = result.Verdict == DeliveryVerdict.Gone;
        var outcome = delivered ? DeliveryAttempt.DeliveredOutcome : gone ? "disabled" : "dead-letter";
        metrics.Attempts.WithLabels(delivered ? "delivered" : gone ? "disabled" : "dead_letter").Inc();
        var attempt = new DeliveryAttempt(subscriptionId, e.Id, e.VdnId, e.Sequence, 1, outcome, result.StatusCode, result.Error, at, result.DurationMs);
        var dead = delivered ? null : new DeadLetter(subscriptionId, e.Id, e.VdnId, e.Sequence, "redelivery failed: " + (result.Error ?? "refused"),
            result.StatusCode, at);
        await deliveries.FinishRedeliveryAsync(subscriptionId, eventId, attempt, dead, delivered, cancellationToken);
        if (gone)
        {
            LogGone(logger, subscriptionId, subscription.Url);
            await subscriptions.UpdateAsync(subscriptionId, new SubscriptionChange(Enabled: false,
                DisabledReason: $"the receiver answered 410 Gone at {at:u}"), at, cancellationToken);
            Refresh();
        }

        return !gone;
    }

    [LoggerMessage(LogLevel.Warning, "The receiver of subscription {Subscription} ({Url}) answered 410 Gone to a redelivery; the subscription is disabled")]
    private static partial void LogGone(ILogger logger, string subscription, string url);

    [LoggerMessage(LogLevel.Warning, "Looking for events to deliver failed; the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Delivering the events of VDN {Vdn} to subscription {Subscription} stopped on a failure; the next pass resumes it")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception, string subscription, int vdn);
}
