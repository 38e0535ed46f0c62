using System.Data.Common;

namespace Ccfs.Server.Catalog;

/// <summary>A subscription's cursor over one VDN's events, and who is delivering it.</summary>
/// <param name="DeliveredThrough">The number of the last event delivered, dead-lettered or skipped.</param>
/// <param name="ClaimedBy">The node instance delivering it now; null when nobody is.</param>
/// <param name="Attempts">Failed attempts at the next event so far.</param>
/// <param name="FailingSince">When the first of those attempts failed.</param>
public sealed record EventStream(string SubscriptionId, int VdnId, long DeliveredThrough, string? ClaimedBy, int Attempts,
    DateTimeOffset? FailingSince);

/// <summary>One attempt to deliver an event, as the deliveries list shows it.</summary>
/// <param name="Outcome"><c>delivered</c>, <c>retry</c>, <c>dead-letter</c> or <c>disabled</c> (the receiver answered 410).</param>
public sealed record DeliveryAttempt(string SubscriptionId, string EventId, int VdnId, long Sequence, int Attempt, string Outcome,
    int? StatusCode, string? Error, DateTimeOffset At, long DurationMs)
{
    public const string DeliveredOutcome = "delivered";

    public bool Delivered => Outcome == DeliveredOutcome;
}

/// <summary>An event a subscription's receiver refused, or kept failing for a day: kept for redelivery.</summary>
public sealed record DeadLetter(string SubscriptionId, string EventId, int VdnId, long Sequence, string Reason, int? StatusCode,
    DateTimeOffset At);

/// <summary>
/// The delivery side of events, shared by every node. A subscription reads each VDN's events in order through its
/// cursor (<see cref="EventStream"/>); a node delivers a cursor only while it holds its claim, taken by compare-and-set
/// from nobody, or from an instance that is gone (<see cref="INodeRegistry"/>): so one node at a time delivers a VDN's
/// events to a subscription, in order, and a killed node's claims pass to the others once its lease ran out. A claim
/// is let go when the cursor has caught up, in a statement that checks it did (<see cref="ReleaseIfIdleAsync"/>), so an
/// event written meanwhile is never left without a node to deliver it. Every move of a cursor checks the claim, so a
/// node that lost its claim (paused past its lease) stops at its next step.
/// </summary>
public sealed class DeliveryStore(CatalogDatabase database)
{
    private const string StreamKey = "subscription_id = @subscription AND vdn_id = @vdn";
    private const string StreamColumns = "subscription_id, vdn_id, delivered_through, claimed_by, attempts, failing_since_ms";

    private const string Missing = """
        SELECT s.id, q.vdn_id, 0 FROM subscriptions s CROSS JOIN event_sequences q
        WHERE (s.all_vdns = 1 OR EXISTS (SELECT 1 FROM subscription_vdns v WHERE v.subscription_id = s.id AND v.vdn_id = q.vdn_id))
          AND NOT EXISTS (SELECT 1 FROM event_streams t WHERE t.subscription_id = s.id AND t.vdn_id = q.vdn_id)
        """;

    // Cursors this instance holds are being delivered here already, and a subscription can start only a few more: so
    // neither takes a place that another subscription's cursor needs (one receiver that hangs over hundreds of VDNs
    // would otherwise fill every read with cursors waiting for its slots). Pages follow the cursors' key, which never
    // changes: cursors claimed, moved or made between two pages shift no later one past the next page (as an offset
    // into a list that changed under it would), so every due cursor is read in each pass.
    private const string Due = """
        SELECT subscription_id, vdn_id, claimed_by, n FROM (
            SELECT st.subscription_id, st.vdn_id, st.claimed_by,
                   row_number() OVER (PARTITION BY st.subscription_id ORDER BY st.next_attempt_at_ms, st.vdn_id) AS n
            FROM event_streams st
            JOIN subscriptions s ON s.id = st.subscription_id JOIN event_sequences q ON q.vdn_id = st.vdn_id
            WHERE s.enabled = 1 AND q.last_sequence > st.delivered_through AND st.next_attempt_at_ms <= @now
              AND coalesce(st.claimed_by, '') <> @instance
        ) due
        WHERE n <= @perSubscription
          AND (CAST(@afterSubscription AS TEXT) IS NULL OR subscription_id > @afterSubscription
               OR (subscription_id = @afterSubscription AND vdn_id > @afterVdn))
        ORDER BY subscription_id, vdn_id LIMIT @limit;
        """;

    private const string LogAttempt = """
        INSERT INTO event_deliveries (subscription_id, event_id, vdn_id, sequence, attempt, outcome, status_code, error, at_ms, duration_ms)
        VALUES (@subscription, @event, @vdn, @sequence, @attempt, @outcome, @status, @error, @at, @duration);
        """;

    private const string KeepDeadLetter = """
        INSERT INTO event_dead_letters (subscription_id, event_id, vdn_id, sequence, reason, status_code, at_ms)
        VALUES (@subscription, @event, @vdn, @sequence, @reason, @status, @at)
        ON CONFLICT (subscription_id, event_id) DO UPDATE SET reason = excluded.reason, status_code = excluded.status_code, at_ms = excluded.at_ms;
        """;

    private readonly CatalogWriter _writer = database.Writer;

    /// <summary>Gives every subscription a cursor, from 0, over each VDN it covers whose events began after it was created.</summary>
    public async Task<int> DiscoverStreamsAsync(CancellationToken cancellationToken)
    {
        if ((await database.QueryAsync(Missing + ";", r => 0, cancellationToken)).Count == 0)
        {
            return 0;
        }

        return await _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync($"""
            INSERT INTO event_streams (subscription_id, vdn_id, delivered_through) {Missing}
            ON CONFLICT (subscription_id, vdn_id) DO NOTHING;
            """, ct));
    }

    /// <summary>
    /// Cursors of enabled subscriptions with events to deliver whose next attempt is due: not those
    /// <paramref name="instance"/> holds, and of each subscription at most <paramref name="perSubscription"/>, its most
    /// overdue; a page of <paramref name="limit"/> in the order of their key (subscription, VDN), after the cursor
    /// <paramref name="after"/> (null: from the first). The next page starts after the last cursor of this one.
    /// </summary>
    /// <returns>Each cursor with its rank in its subscription, 1 for the most overdue.</returns>
    public async Task<IReadOnlyList<(string SubscriptionId, int VdnId, string? ClaimedBy, long Rank)>> DueAsync(DateTimeOffset now,
        string instance, int perSubscription, int limit, (string SubscriptionId, int VdnId)? after, CancellationToken cancellationToken) =>
        await database.QueryAsync(Due, r => (r.GetString(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3)), cancellationToken,
            ("now", now.ToUnixTimeMilliseconds()), ("instance", instance), ("perSubscription", perSubscription), ("limit", limit),
            ("afterSubscription", after?.SubscriptionId), ("afterVdn", after?.VdnId ?? 0));

    public async Task<EventStream?> StreamAsync(string subscriptionId, int vdnId, CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {StreamColumns} FROM event_streams WHERE {StreamKey};", ReadStream, cancellationToken,
            ("subscription", subscriptionId), ("vdn", vdnId))).FirstOrDefault();

    /// <summary>
    /// Takes the cursor for <paramref name="instance"/> if it is still held by <paramref name="seen"/> (null: nobody).
    /// Durable: events committed before it are then on disk too, so none that is delivered can be lost by a power cut.
    /// </summary>
    public Task<bool> ClaimAsync(string subscriptionId, int vdnId, string? seen, string instance, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync($"""
            UPDATE event_streams SET claimed_by = @instance WHERE {StreamKey} AND coalesce(claimed_by, '') = @seen;
            """, ct, ("subscription", subscriptionId), ("vdn", vdnId), ("seen", seen ?? ""), ("instance", instance)) == 1);

    /// <summary>
    /// A durable write that proves the claim is still held: every event read before it was committed before it, so after
    /// it those events are on disk, and may be delivered.
    /// </summary>
    public Task<bool> ConfirmClaimAsync(string subscriptionId, int vdnId, string instance, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync($"""
            UPDATE event_streams SET claimed_by = @instance WHERE {StreamKey} AND claimed_by = @instance;
            """, ct, ("subscription", subscriptionId), ("vdn", vdnId), ("instance", instance)) == 1);

    /// <summary>
    /// Moves the cursor to <paramref name="through"/> (past events delivered, dead-lettered or skipped) and records the
    /// attempts and the dead letter, if any, in the same transaction; false if the claim was lost. One write serves a
    /// whole batch of deliveries: should the node die before it, the batch is delivered again (at least once). An event
    /// delivered after a rewind leaves the dead letter, as one redelivered by its id does.
    /// </summary>
    public Task<bool> AdvanceAsync(string subscriptionId, int vdnId, string instance, long through, IReadOnlyList<DeliveryAttempt> attempts,
        DeadLetter? dead, CancellationToken cancellationToken) => _writer.WriteAsync(async (tx, ct) =>
    {
        if (await tx.ExecuteAsync($"""
                UPDATE event_streams SET delivered_through = @through, attempts = 0, next_attempt_at_ms = 0, failing_since_ms = NULL
                WHERE {StreamKey} AND claimed_by = @instance AND delivered_through < @through;
                """, ct, ("subscription", subscriptionId), ("vdn", vdnId), ("instance", instance), ("through", through)) != 1)
        {
            return false;
        }

        foreach (var attempt in attempts)
        {
            await RecordAsync(tx, attempt, null, ct);
            if (attempt.Delivered)
            {
                await LeaveDeadLetterAsync(tx, subscriptionId, attempt.EventId, ct);
            }
        }

        await RecordAsync(tx, null, dead, ct);
        return true;
    }, Durability.Deferred);

    /// <summary>Records a failed attempt, sets when the next is due and lets the claim go, so any node retries it then.</summary>
    public Task<bool> PostponeAsync(string subscriptionId, int vdnId, string instance, DateTimeOffset next, DateTimeOffset failingSince,
        DeliveryAttempt attempt, CancellationToken cancellationToken) => _writer.WriteAsync(async (tx, ct) =>
    {
        if (await tx.ExecuteAsync($"""
                UPDATE event_streams SET attempts = @attempts, next_attempt_at_ms = @next, failing_since_ms = @since, claimed_by = NULL
                WHERE {StreamKey} AND claimed_by = @instance;
                """, ct, ("subscription", subscriptionId), ("vdn", vdnId), ("instance", instance), ("attempts", attempt.Attempt),
                ("next", next.ToUnixTimeMilliseconds()), ("since", failingSince.ToUnixTimeMilliseconds())) != 1)
        {
            return false;
        }

        await RecordAsync(tx, attempt, null, ct);
        return true;
    }, Durability.Deferred);

    /// <summary>Lets the claim go, with a record of why (a 410 disabled the subscription).</summary>
    public Task ReleaseAsync(string subscriptionId, int vdnId, string instance, DeliveryAttempt? attempt, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync($"UPDATE event_streams SET claimed_by = NULL WHERE {StreamKey} AND claimed_by = @instance;", ct,
                ("subscription", subscriptionId), ("vdn", vdnId), ("instance", instance));
            await RecordAsync(tx, attempt, null, ct);
        }, Durability.Deferred);

    /// <summary>Lets the claim go only if the cursor has reached the VDN's last event; false if there is more (or the claim is gone).</summary>
    public Task<bool> ReleaseIfIdleAsync(string subscriptionId, int vdnId, string instance, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync($"""
            UPDATE event_streams SET claimed_by = NULL WHERE {StreamKey} AND claimed_by = @instance
              AND delivered_through >= (SELECT q.last_sequence FROM event_sequences q WHERE q.vdn_id = @vdn);
            """, ct, ("subscription", subscriptionId), ("vdn", vdnId), ("instance", instance)) == 1, Durability.Deferred);

    /// <summary>
    /// Moves cursors of the subscription (one VDN's, or all) back so the events numbered from <paramref name="from"/> on
    /// are delivered again, in order; a cursor already before it stays. The claim goes, so a delivery under way stops.
    /// </summary>
    public Task<int> RewindAsync(string subscriptionId, int? vdnId, long from, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("""
            UPDATE event_streams SET claimed_by = NULL, attempts = 0, next_attempt_at_ms = 0, failing_since_ms = NULL,
                delivered_through = CASE WHEN delivered_through > @through THEN @through ELSE delivered_through END
            WHERE subscription_id = @subscription AND (CAST(@vdn AS INTEGER) IS NULL OR vdn_id = @vdn);
            """, ct, ("subscription", subscriptionId), ("vdn", vdnId), ("through", Math.Max(0, from - 1))));

    /// <summary>Queues events (by id) for one more delivery each, outside their VDN's order.</summary>
    public Task<int> QueueRedeliveriesAsync(string subscriptionId, IReadOnlyList<string> eventIds, DateTimeOffset at,
        CancellationToken cancellationToken) => _writer.WriteAsync(async (tx, ct) =>
    {
        var queued = 0;
        foreach (var id in eventIds)
        {
            queued += await tx.ExecuteAsync("""
                INSERT INTO event_redeliveries (subscription_id, event_id, claimed_by, requested_at_ms) VALUES (@subscription, @event, NULL, @at)
                ON CONFLICT (subscription_id, event_id) DO NOTHING;
                """, ct, ("subscription", subscriptionId), ("event", id), ("at", at.ToUnixTimeMilliseconds()));
        }

        return queued;
    });

    /// <summary>The oldest redeliveries asked of each enabled subscription, at most <paramref name="perSubscription"/> of each.</summary>
    public async Task<IReadOnlyList<(string SubscriptionId, string EventId, string? ClaimedBy)>> DueRedeliveriesAsync(int perSubscription,
        CancellationToken cancellationToken) =>
        await database.QueryAsync("""
            SELECT subscription_id, event_id, claimed_by FROM (
                SELECT r.subscription_id, r.event_id, r.claimed_by, r.requested_at_ms,
                       row_number() OVER (PARTITION BY r.subscription_id ORDER BY r.requested_at_ms, r.event_id) AS n
                FROM event_redeliveries r JOIN subscriptions s ON s.id = r.subscription_id WHERE s.enabled = 1
            ) due WHERE n <= @perSubscription ORDER BY requested_at_ms, event_id;
            """, r => (r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)), cancellationToken,
            ("perSubscription", perSubscription));

    public Task<bool> ClaimRedeliveryAsync(string subscriptionId, string eventId, string? seen, string instance,
        CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("""
            UPDATE event_redeliveries SET claimed_by = @instance
            WHERE subscription_id = @subscription AND event_id = @event AND coalesce(claimed_by, '') = @seen;
            """, ct, ("subscription", subscriptionId), ("event", eventId), ("seen", seen ?? ""), ("instance", instance)) == 1);

    /// <summary>Lets a redelivery go unsent, for the next pass (on any node) to try.</summary>
    public Task ReleaseRedeliveryAsync(string subscriptionId, string eventId, string instance, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("""
            UPDATE event_redeliveries SET claimed_by = NULL
            WHERE subscription_id = @subscription AND event_id = @event AND claimed_by = @instance;
            """, ct, ("subscription", subscriptionId), ("event", eventId), ("instance", instance)), Durability.Deferred);

    /// <summary>Ends a redelivery: delivered, it leaves the dead letter; refused, its dead letter says why now.</summary>
    public Task FinishRedeliveryAsync(string subscriptionId, string eventId, DeliveryAttempt? attempt, DeadLetter? dead,
        bool delivered, CancellationToken cancellationToken) => _writer.WriteAsync(async (tx, ct) =>
    {
        await tx.ExecuteAsync("DELETE FROM event_redeliveries WHERE subscription_id = @subscription AND event_id = @event;", ct,
            ("subscription", subscriptionId), ("event", eventId));
        if (delivered)
        {
            await LeaveDeadLetterAsync(tx, subscriptionId, eventId, ct);
        }

        await RecordAsync(tx, attempt, dead, ct);
    }, Durability.Deferred);

    /// <summary>The most recent attempts for a subscription, newest first.</summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> ListAttemptsAsync(string subscriptionId, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync("""
            SELECT subscription_id, event_id, vdn_id, sequence, attempt, outcome, status_code, error, at_ms, duration_ms FROM event_deliveries
            WHERE subscription_id = @subscription ORDER BY id DESC LIMIT @limit;
            """, r => new DeliveryAttempt(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3), r.GetInt32(4), r.GetString(5),
            r.IsDBNull(6) ? null : r.GetInt32(6), r.IsDBNull(7) ? null : r.GetString(7), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
            r.GetInt64(9)), cancellationToken, ("subscription", subscriptionId), ("limit", limit));

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string subscriptionId, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync("""
            SELECT subscription_id, event_id, vdn_id, sequence, reason, status_code, at_ms FROM event_dead_letters
            WHERE subscription_id = @subscription ORDER BY vdn_id, sequence LIMIT @limit;
            """, ReadDeadLetter, cancellationToken, ("subscription", subscriptionId), ("limit", limit));

    /// <summary>Each subscription's cursors, for its view: how far each VDN was delivered and whether it is failing.</summary>
    public async Task<IReadOnlyList<EventStream>> StreamsAsync(string subscriptionId, CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {StreamColumns} FROM event_streams WHERE subscription_id = @subscription ORDER BY vdn_id;",
            ReadStream, cancellationToken, ("subscription", subscriptionId));

    /// <summary>For each enabled subscription, when its oldest undelivered event was written (absent: none is waiting).</summary>
    public async Task<IReadOnlyList<(string SubscriptionId, DateTimeOffset OldestAt)>> OldestUndeliveredAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("""
            SELECT st.subscription_id, min(e.at_ms) FROM event_streams st
            JOIN subscriptions s ON s.id = st.subscription_id
            JOIN events e ON e.vdn_id = st.vdn_id AND e.sequence = st.delivered_through + 1
            WHERE s.enabled = 1 GROUP BY st.subscription_id;
            """, r => (r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1))), cancellationToken);

    private static Task<int> LeaveDeadLetterAsync(CatalogTransaction tx, string subscriptionId, string eventId, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM event_dead_letters WHERE subscription_id = @subscription AND event_id = @event;", ct,
            ("subscription", subscriptionId), ("event", eventId));

    private static async Task RecordAsync(CatalogTransaction tx, DeliveryAttempt? attempt, DeadLetter? dead, CancellationToken ct)
    {
        if (attempt is not null)
        {
            await tx.ExecuteAsync(LogAttempt, ct, ("subscription", attempt.SubscriptionId), ("event", attempt.EventId), ("vdn", attempt.VdnId),
                ("sequence", attempt.Sequence), ("attempt", attempt.Attempt), ("outcome", attempt.Outcome), ("status", attempt.StatusCode),
                ("error", attempt.Error), ("at", attempt.At.ToUnixTimeMilliseconds()), ("duration", attempt.DurationMs));
        }

        if (dead is not null)
        {
            await tx.ExecuteAsync(KeepDeadLetter, ct, ("subscription", dead.SubscriptionId), ("event", dead.EventId), ("vdn", dead.VdnId),
                ("sequence", dead.Sequence), ("reason", dead.Reason), ("status", dead.StatusCode), ("at", dead.At.ToUnixTimeMilliseconds()));
        }
    }

    private static EventStream ReadStream(DbDataReader r) => new(r.GetString(0), r.GetInt32(1), r.GetInt64(2),
        r.IsDBNull(3) ? null : r.GetString(3), r.GetInt32(4), r.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)));

    private static DeadLetter ReadDeadLetter(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3),
        r.GetString(4), r.IsDBNull(5) ? null : r.GetInt32(5), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)));
}
