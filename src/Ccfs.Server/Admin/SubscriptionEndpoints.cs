using System.Net;
using Ccfs.Protocol.Webhooks;
using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;
using Ccfs.Server.Events;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Admin;

public sealed record CreateSubscriptionRequest(string? Url, IReadOnlyList<int>? VdnIds = null, IReadOnlyList<string>? Types = null,
    string? Description = null);

/// <param name="Enabled">false disables the subscription (its events wait, kept for the retention), true enables it again.</param>
/// <param name="RotateSecret">true issues a new secret, shown in this answer only; the old one stops signing at once, unless <paramref name="KeepPreviousFor"/>.</param>
/// <param name="KeepPreviousFor">
/// With <paramref name="RotateSecret"/>: how long the old secret goes on signing beside the new one (each delivery then
/// carries both signatures), so the receiver can be given the new secret meanwhile; at most 7 days.
/// </param>
public sealed record UpdateSubscriptionRequest(bool? Enabled = null, string? Description = null, bool? RotateSecret = null, TimeSpan? KeepPreviousFor = null);

/// <param name="From">Deliver again every event from this sequence number on (of <paramref name="VdnId"/>, or of every VDN).</param>
/// <param name="EventIds">Deliver these events once more each, outside their VDN's order.</param>
public sealed record RedeliverRequest(long? From = null, int? VdnId = null, IReadOnlyList<string>? EventIds = null);

/// <param name="VdnIds">Absent: every VDN.</param>
/// <param name="Types">Absent: every type.</param>
/// <param name="Streams">How far each VDN's events were delivered, and whether the next one is failing.</param>
/// <param name="PreviousSecretUntil">Until when the secret a rotation replaced signs beside the new one; absent when it does not.</param>
public sealed record SubscriptionView(string Id, string Url, IReadOnlyList<int>? VdnIds, IReadOnlyList<string>? Types, string? Description,
    bool Enabled, string? DisabledReason, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<StreamView>? Streams = null,
    DateTimeOffset? PreviousSecretUntil = null);

/// <param name="FailedAttempts">Failed attempts at the next event so far.</param>
public sealed record StreamView(int VdnId, long DeliveredThrough, int FailedAttempts, DateTimeOffset? FailingSince);

public sealed record SubscriptionList(IReadOnlyList<SubscriptionView> Subscriptions);

/// <summary>The only answers that carry a subscription's secret: its creation and a rotation.</summary>
public sealed record IssuedSubscription(SubscriptionView Subscription, string Secret);

public sealed record DeliveryList(IReadOnlyList<DeliveryView> Deliveries);

public sealed record DeliveryView(string EventId, int VdnId, long Sequence, int Attempt, string Outcome, int? StatusCode, string? Error,
    DateTimeOffset At, long DurationMs);

public sealed record DeadLetterList(IReadOnlyList<DeadLetterView> Events);

public sealed record DeadLetterView(string EventId, int VdnId, long Sequence, string Reason, int? StatusCode, DateTimeOffset At);

/// <param name="Rewound">Cursors moved back (one per VDN) by <c>from</c>.</param>
/// <param name="Queued">Events queued by <c>eventIds</c>.</param>
/// <param name="Unknown">Event ids that are not kept (never existed, or past the retention).</param>
/// <param name="NotCovered">Event ids of a VDN or type the subscription does not receive: not queued.</param>
public sealed record RedeliverView(int Rewound, int Queued, IReadOnlyList<string> Unknown, IReadOnlyList<string> NotCovered);

/// <summary>
/// Webhook subscriptions (docs/events.md): create (the secret is generated and shown once), list, show, disable, enable,
/// rotate the secret, delete; each one's recent delivery attempts and dead letter, and redelivery, from a sequence
/// number on or by event id.
/// </summary>
public static class SubscriptionEndpoints
{
    /// <summary>The longest a rotated secret may go on signing: a receiver is given the new one within a week, or the overlap was forgotten.</summary>
    public static readonly TimeSpan MaxKeepPrevious = TimeSpan.FromDays(7);

    public const int MaxUrlLength = 2048;
    public const int MaxListLength = 1000;

    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/subscriptions", ListAsync).WithName("listSubscriptions").WithSummary("Every webhook subscription, without secrets")
            .Produces<SubscriptionList>();
        admin.MapPost("/subscriptions", CreateAsync).WithName("createSubscription")
            .WithSummary("Subscribe a URL to file events; the answer holds the signing secret, shown only this once")
            .WithJsonBody<CreateSubscriptionRequest>().Produces<IssuedSubscription>(StatusCodes.Status201Created);
        admin.MapGet("/subscriptions/{id}", ShowAsync).WithName("showSubscription")
            .WithSummary("A subscription, with how far each VDN's events were delivered").Produces<SubscriptionView>();
        admin.MapPatch("/subscriptions/{id}", UpdateAsync).WithName("updateSubscription")
            .WithSummary("Disable, enable, describe, or rotate the secret (the new one is in the answer, shown only this once)")
            .WithJsonBody<UpdateSubscriptionRequest>();
        admin.MapDelete("/subscriptions/{id}", DeleteAsync).WithName("deleteSubscription")
            .WithSummary("Delete a subscription with its delivery records and dead letter").Produces(StatusCodes.Status204NoContent);
        admin.MapGet("/subscriptions/{id}/deliveries", DeliveriesAsync).WithName("listDeliveries")
            .WithSummary("Recent delivery attempts, newest first; ?limit= up to 1000").Produces<DeliveryList>();
        admin.MapGet("/subscriptions/{id}/dead-letter", DeadLetterAsync).WithName("listDeadLetter")
            .WithSummary("Events the receiver refused or kept failing for a day, in sequence order").Produces<DeadLetterList>();
        admin.MapPost("/subscriptions/{id}/redeliver", RedeliverAsync).WithName("redeliverEvents")
            .WithSummary("Deliver again: {\"from\": N} (with \"vdnId\", or for every VDN) in order, or {\"eventIds\": [...]} once each")
            .WithJsonBody<RedeliverRequest>().Produces<RedeliverView>(StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ListAsync(SubscriptionStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var subscriptions = await store.ListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return AdminResults.Ok(new SubscriptionList([.. subscriptions.Select(s => View(s, now))]));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, SubscriptionStore store, MasterKey masterKey, Configuration.CcfsSettings settings,
        EventDispatcher dispatcher, TimeProvider time)
    {
        if (!AdminResults.TryReadBody<CreateSubscriptionRequest>(http, out var request, out var refusal))
        {
            return refusal!;
        }

        var problems = new List<string>();
        var url = UrlProblem(request.Url, settings.AllowsPrivateDestinations, problems);
        if (request.VdnIds is { } vdns && (vdns.Count == 0 || vdns.Count > MaxListLength || vdns.Any(v => v <= 0)))
        {
            problems.Add("vdnIds must list from 1 to 1000 positive VDN ids; leave it out for every VDN");
        }

        if (request.Types is { } types && (types.Count == 0 || types.Any(t => !EventTypes.All.Contains(t, StringComparer.Ordinal))))
        {
            problems.Add($"types must list one or more of {string.Join(", ", EventTypes.All)}; leave it out for every type");
        }

        if (request.Description is { Length: > 500 })
        {
            problems.Add("description must be at most 500 characters");
        }

        if (problems.Count > 0)
        {
            return AdminResults.Invalid("the subscription is not valid; nothing was created", problems);
        }

        var id = "sub_" + Guid.CreateVersion7().ToString("N");
        Note(http, id);
        var secret = WebhookSignature.NewSecret();
        var now = time.GetUtcNow();
        var subscription = new StoredSubscription(id, url!.AbsoluteUri, request.VdnIds?.Distinct().Order().ToList(),
            request.Types?.Distinct(StringComparer.Ordinal).ToList(), request.Description, true, null,
            SubscriptionSecrets.Seal(masterKey, id, secret), now, now);
        await store.CreateAsync(subscription, CancellationToken.None);
        dispatcher.Refresh();
        return AdminResults.Created(new IssuedSubscription(View(subscription, now), secret));
    }

    private static async Task<IResult> ShowAsync(string id, SubscriptionStore store, DeliveryStore deliveries, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is not { } subscription)
        {
            return Missing(id);
        }

        var streams = await deliveries.StreamsAsync(id, cancellationToken);
        return AdminResults.Ok(View(subscription, time.GetUtcNow(), [.. streams.Select(s => new StreamView(s.VdnId, s.DeliveredThrough, s.Attempts, s.FailingSince))]));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, SubscriptionStore store, MasterKey masterKey, EventDispatcher dispatcher,
        TimeProvider time)
    {
        Note(http, id);
        if (!AdminResults.TryReadBody<UpdateSubscriptionRequest>(http, out var request, out var refusal))
        {
            return refusal!;
        }

        if (request.Description is { Length: > 500 })
        {
            return AdminResults.Invalid("the change is not valid; nothing was changed", ["description must be at most 500 characters"]);
        }

        if (request.KeepPreviousFor is { } keep && (request.RotateSecret != true || keep <= TimeSpan.Zero || keep > MaxKeepPrevious))
        {
            return AdminResults.Invalid("the change is not valid; nothing was changed",
                [request.RotateSecret != true
                    ? "keepPreviousFor goes with rotateSecret: true"
                    : $"keepPreviousFor is {keep}; it must be above 0 and at most {MaxKeepPrevious.Days} days (a duration such as 1.00:00:00)"]);
        }

        var now = time.GetUtcNow();
        var secret = request.RotateSecret == true ? WebhookSignature.NewSecret() : null;
        var change = new SubscriptionChange(request.Enabled, request.Description,
            secret is null ? null : SubscriptionSecrets.Seal(masterKey, id, secret), request.Enabled == false ? "disabled by an administrator" : null,
            now + request.KeepPreviousFor);
        if (!await store.UpdateAsync(id, change, now, CancellationToken.None))
        {
            return Missing(id);
        }

        // Answered only once no request under the old settings is being handed over any more (docs/events.md, Signatures).
        await dispatcher.RefreshAsync();
        var view = View((await store.FindAsync(id, CancellationToken.None))!, time.GetUtcNow());
        return secret is null ? AdminResults.Ok(view) : AdminResults.Ok(new IssuedSubscription(view, secret));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, SubscriptionStore store, EventDispatcher dispatcher)
    {
        Note(http, id);
        if (!await store.DeleteAsync(id, CancellationToken.None))
        {
            return Missing(id);
        }

        // Deliveries under way read their subscription again before their next request goes, and stop; answered only once
        // no request of it is being handed over any more.
        await dispatcher.RefreshAsync();
        return TypedResults.NoContent();
    }

    private static async Task<IResult> DeliveriesAsync(string id, HttpContext http, SubscriptionStore store, DeliveryStore deliveries,
        CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var limit = AdminQuery.Integer(http, "limit", 1, MaxListLength, problems) ?? 100;
        if (problems.Count > 0)
        {
            return AdminResults.Invalid(problems[0]);
        }

        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return Missing(id);
        }

        var attempts = await deliveries.ListAttemptsAsync(id, limit, cancellationToken);
        return AdminResults.Ok(new DeliveryList([.. attempts.Select(a =>
            new DeliveryView(a.EventId, a.VdnId, a.Sequence, a.Attempt, a.Outcome, a.StatusCode, a.Error, a.At, a.DurationMs))]));
    }

    private static async Task<IResult> DeadLetterAsync(string id, HttpContext http, SubscriptionStore store, DeliveryStore deliveries,
        CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var limit = AdminQuery.Integer(http, "limit", 1, MaxListLength, problems) ?? MaxListLength;
        if (problems.Count > 0)
        {
            return AdminResults.Invalid(problems[0]);
        }

        if (await store.FindAsync(id, cancellationToken) is null)
        {
            return Missing(id);
        }

        var dead = await deliveries.ListDeadLettersAsync(id, limit, cancellationToken);
        return AdminResults.Ok(new DeadLetterList([.. dead.Select(d => new DeadLetterView(d.EventId, d.VdnId, d.Sequence, d.Reason, d.StatusCode, d.At))]));
    }

    private static async Task<IResult> RedeliverAsync(string id, HttpContext http, SubscriptionStore store, DeliveryStore deliveries,
        EventStore events, EventDispatcher dispatcher, TimeProvider time)
    {
        Note(http, id);
        if (!AdminResults.TryReadBody<RedeliverRequest>(http, out var request, out var refusal))
        {
            return refusal!;
        }

        if ((request.From is null) == (request.EventIds is null) || request.From is < 1 || request.VdnId is <= 0
            || (request.VdnId is not null && request.From is null) || request.EventIds is { Count: 0 or > MaxListLength })
        {
            return AdminResults.Invalid("the body must be {\"from\": N} (a sequence number from 1, with an optional \"vdnId\") "
                + "or {\"eventIds\": [\"…\"]} (1 to 1000 ids)");
        }

        if (await store.FindAsync(id, CancellationToken.None) is not { } subscription)
        {
            return Missing(id);
        }

        int rewound = 0, queued = 0;
        List<string> unknown = [], notCovered = [];
        if (request.From is { } from)
        {
            rewound = await deliveries.RewindAsync(id, request.VdnId, from, CancellationToken.None);
        }
        else
        {
            var known = new List<string>();
            foreach (var eventId in request.EventIds!.Distinct(StringComparer.Ordinal))
            {
                // An event the subscription does not receive is never sent to it, by id either: its receiver may be another tenant's.
                var e = await events.FindAsync(eventId, CancellationToken.None);
                (e is null ? unknown : subscription.Covers(e.VdnId, e.Type) ? known : notCovered).Add(eventId);
            }

            queued = known.Count == 0 ? 0 : await deliveries.QueueRedeliveriesAsync(id, known, time.GetUtcNow(), CancellationToken.None);
        }

        dispatcher.Refresh();
        return TypedResults.Json(new RedeliverView(rewound, queued, unknown, notCovered), AdminResults.Json, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// An absolute http or https URL without credentials in it; a literal private address is refused at once where
    /// private destinations are (names are checked at each delivery, when they are resolved).
    /// </summary>
    private static Uri? UrlProblem(string? text, bool allowPrivate, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxUrlLength || !Uri.TryCreate(text, UriKind.Absolute, out var url)
            || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0 || url.Fragment.Length > 0)
        {
            problems.Add($"url must be an absolute http:// or https:// URL of at most {MaxUrlLength} characters, without user:password@ or #fragment");
            return null;
        }

        // A literal address is looked up in the table the sender checks at connect; of names only the loopback one is known here.
        var refused = IPAddress.TryParse(url.IdnHost, out var address)
            ? DestinationPolicy.RefusedRange(address) is { } range ? "an address in " + range : null
            : url.IsLoopback ? "the loopback name" : null;
        if (!allowPrivate && refused is not null)
        {
            problems.Add($"url {url.Host} is {refused}, not a public address: this server delivers only to public addresses; "
                + "to deliver to this one, set Ccfs:Events:AllowPrivateDestinations to true");
            return null;
        }

        return url;
    }

    private static IResult Missing(string id) => AdminResults.NotFound($"subscription {id} does not exist");

    /// <summary>The audit trail names the subscription changed in its file column; never a secret.</summary>
    private static void Note(HttpContext http, string id) => InterfaceCall.Of(http)?.File = "subscription:" + id;

    /// <summary>The view at <paramref name="now"/>: a previous secret whose overlap has ended no longer signs, so it is not shown.</summary>
    private static SubscriptionView View(StoredSubscription s, DateTimeOffset now, IReadOnlyList<StreamView>? streams = null) =>
        new(s.Id, s.Url, s.VdnIds, s.Types, s.Description, s.Enabled, s.DisabledReason, s.CreatedAt, s.UpdatedAt, streams,
            s.PreviousSecretUntil > now ? s.PreviousSecretUntil : null);
}
