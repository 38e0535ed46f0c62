using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;

namespace Ccfs.Server.Events;

/// <summary>
/// Delivers one subscription's events of one VDN, in sequence order, while this node holds the cursor's claim: reads
/// the events after the cursor, confirms the claim durably (so every event it sends is on disk before anyone hears of
/// it), then sends them one at a time, and moves the cursor past those delivered, dead-lettered or of a type the
/// subscription does not want in one write per batch (a node that dies before that write delivers the batch again). A
/// failure that may pass postpones the cursor by <see cref="RetrySchedule"/> and lets the claim go; the events after it
/// wait, so a receiver never gets a VDN's events out of order. Before each event, and again as its request goes to
/// the connection (<see cref="SendGate"/>), it checks whether a subscription changed, and if one did reads its own
/// again before it goes on. Caught up, it keeps the claim for
/// <see cref="Linger"/> in case more come, then lets go, at once when other cursors of the subscription wait for a
/// slot (<see cref="SlotDemand"/>); it stops at once when its claim is gone or the receiver answers 410.
/// </summary>
public sealed partial class StreamDelivery(EventStore events, DeliveryStore deliveries, SubscriptionStore subscriptions, WebhookSender sender,
    MasterKey masterKey, EventMetrics metrics, EventOutbox outbox, SubscriptionChanges changes, SlotDemand demand, NodeIdentity node, TimeProvider time,
    ILogger<StreamDelivery> logger)
{
    private const int ReadSize = 64;

    /// <summary>
    /// How long a caught-up delivery keeps its claim, waiting for the next event, before it lets go: under a steady flow
    /// each event then costs a read and a write, not a claim, a start and a release.
    /// </summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    /// <summary>While lingering, how often it also looks for events other nodes wrote, and whether it still holds the claim.</summary>
    public static readonly TimeSpan LingerTick = TimeSpan.FromMilliseconds(250);

    public async Task RunAsync(string subscriptionId, int vdnId, CancellationToken cancellationToken)
    {
        var me = node.Instance;
        var subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
        var stream = await deliveries.StreamAsync(subscriptionId, vdnId, cancellationToken);
        if (subscription is not { Enabled: true } || stream is null || stream.ClaimedBy != me)
        {
            await deliveries.ReleaseAsync(subscriptionId, vdnId, me, null, cancellationToken);
            return;
        }

        if (!SubscriptionSecrets.TryOpen(masterKey, subscription, out var keys))
        {
            LogSecretUnreadable(logger, subscriptionId);
            await deliveries.ReleaseAsync(subscriptionId, vdnId, me, null, cancellationToken);
            return;
        }

        var url = new Uri(subscription.Url);
        var cursor = stream.DeliveredThrough;
        var recorded = cursor;
        var attempts = stream.Attempts;
        var failingSince = stream.FailingSince;
        var version = changes.Version;
        long? lingerSince = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var wake = outbox.NextWrite;
            if (changes.Version != version)
            {
                // The subscription changed: read it and the cursor again (a rewind takes the claim away).
                version = changes.Version;
                subscription = await subscriptions.FindAsync(subscriptionId, cancellationToken);
                var now = await deliveries.StreamAsync(subscriptionId, vdnId, cancellationToken);
                if (subscription is not { Enabled: true } || now?.ClaimedBy != me || !SubscriptionSecrets.TryOpen(masterKey, subscription, out keys))
                {
                    await deliveries.ReleaseAsync(subscriptionId, vdnId, me, null, cancellationToken);
                    return;
                }

                url = new Uri(subscription.Url);
            }

            var wanted = demand.Wanted(subscriptionId);
            var batch = await events.ListAsync(vdnId, cursor, ReadSize, cancellationToken);
            if (batch.Count == 0 && !demand.IsWanted(subscriptionId) && (lingerSince is null || time.GetElapsedTime(lingerSince.Value) < Linger))
            {
                // Other cursors of the subscription waiting for a slot end the linger: this one lets go, and they start.
                lingerSince ??= time.GetTimestamp();
                await Task.WhenAny(wake, wanted, Task.Delay(LingerTick, time, cancellationToken));
                if (!wake.IsCompleted && (await deliveries.StreamAsync(subscriptionId, vdnId, cancellationToken))?.ClaimedBy != me)
                {
                    return;
                }

                continue;
            }

            lingerSince = null;
            if (batch.Count == 0)
            {
                if (await deliveries.ReleaseIfIdleAsync(subscriptionId, vdnId, me, cancellationToken))
                {
                    return;
                }

                // Either an event came after the read, or the claim is gone (rewound, or taken by a node that thought this one gone).
                var now = await deliveries.StreamAsync(subscriptionId, vdnId, cancellationToken);
                if (now?.ClaimedBy != me)
                {
                    return;
                }

                cursor = recorded = now.DeliveredThrough;
                continue;
            }

            if (!await deliveries.ConfirmClaimAsync(subscriptionId, vdnId, me, cancellationToken))
            {
                return;
            }

            // Deliveries are recorded, and the cursor moved, once per batch (or before a failure is handled).
            var through = recorded;
            var attemptsMade = new List<DeliveryAttempt>();
            async Task<bool> FlushAsync(DeadLetter? dead = null)
            {
                if (through > recorded)
                {
                    if (!await deliveries.AdvanceAsync(subscriptionId, vdnId, me, through, attemptsMade, dead, cancellationToken))
                    {
                        return false;
                    }

                    recorded = through;
                    attemptsMade.Clear();
                }

                return true;
            }

            foreach (var e in batch)
            {
                if (changes.Version != version)
                {
                    // Changed while this batch was sent (a rotated secret, disabled, deleted): what is left of it waits
                    // until the subscription was read again, so no delivery after the change goes out under the old one.
                    break;
                }

                if (!subscription.Wants(e.Type))
                {
                    through = e.Sequence;
                    continue;
                }

                // Checked once more as the request goes out, after the connect: a change that came meanwhile sends nothing.
                var result = await sender.SendAsync(url, e.Id, CloudEventFormat.Encode(e), keys, cancellationToken, changes.Gate(version));
                if (result.Verdict == DeliveryVerdict.NotSent)
                {
                    break;
                }

                var at = time.GetUtcNow();
                var attempt = attempts + 1;
                DeliveryAttempt Record(string outcome) =>
                    new(subscriptionId, e.Id, vdnId, e.Sequence, attempt, outcome, result.StatusCode, result.Error, at, result.DurationMs);
                switch (result.Verdict)
                {
                    case DeliveryVerdict.Delivered:
                        metrics.Attempts.WithLabels("delivered").Inc();
                        metrics.Lag.Observe(Math.Max(0, (at - e.Time).TotalSeconds));
                        attemptsMade.Add(Record(DeliveryAttempt.DeliveredOutcome));
                        through = e.Sequence;
                        break;
                    case DeliveryVerdict.Retry when RetrySchedule.After(attempt, Random.Shared) is { } delay:
                        metrics.Attempts.WithLabels("retry").Inc();
                        LogRetry(logger, e.Id, subscriptionId, attempt, result.Error, delay);
                        if (await FlushAsync())
                        {
                            await deliveries.PostponeAsync(subscriptionId, vdnId, me, at + delay, failingSince ?? at, Record("retry"), cancellationToken);
                        }

                        return;
                    case DeliveryVerdict.Gone:
                        metrics.Attempts.WithLabels("disabled").Inc();
                        LogGone(logger, subscriptionId, subscription.Url);
                        if (await FlushAsync())
                        {
                            await subscriptions.UpdateAsync(subscriptionId, new SubscriptionChange(Enabled: false,
                                DisabledReason: $"the receiver answered 410 Gone at {at:u}"), at, cancellationToken);
                            await deliveries.ReleaseAsync(subscriptionId, vdnId, me, Record("disabled"), cancellationToken);
                        }

                        return;
                    default:
                        // Refused for good, or retried for a day without success.
                        metrics.Attempts.WithLabels("dead_letter").Inc();
                        var reason = result.Verdict == DeliveryVerdict.Retry
                            ? $"no attempt succeeded in {RetrySchedule.MaxAttempts} tries; the last: {result.Error}"
                            : result.Error ?? "refused";
                        LogDeadLetter(logger, e.Id, subscriptionId, reason);
                        attemptsMade.Add(Record("dead-letter"));
                        through = e.Sequence;
                        if (!await FlushAsync(new DeadLetter(subscriptionId, e.Id, vdnId, e.Sequence, reason, result.StatusCode, at)))
                        {
                            return;
                        }

                        break;
                }

                attempts = 0;
                failingSince = null;
            }

            if (!await FlushAsync())
            {
                return;
            }

            cursor = recorded;
        }
    }

    [LoggerMessage(LogLevel.Information, "Delivering event {EventId} to subscription {Subscription} failed (attempt {Attempt}: {Error}); next try in {Delay}")]
    private static partial void LogRetry(ILogger logger, string eventId, string subscription, int attempt, string? error, TimeSpan delay);

    [LoggerMessage(LogLevel.Warning, "Event {EventId} went to the dead letter of subscription {Subscription}: {Reason}")]
    private static partial void LogDeadLetter(ILogger logger, string eventId, string subscription, string reason);

    [LoggerMessage(LogLevel.Warning, "The receiver of subscription {Subscription} ({Url}) answered 410 Gone; the subscription is disabled")]
    private static partial void LogGone(ILogger logger, string subscription, string url);

    [LoggerMessage(LogLevel.Error, "The secret of subscription {Subscription} cannot be opened with this node's master key; its events wait")]
    private static partial void LogSecretUnreadable(ILogger logger, string subscription);
}
