using System.Text.Json;
using Ccfs.Server.Catalog;
using Ccfs.Server.Events;

namespace Ccfs.Server.Admin;

/// <param name="Events">CloudEvents in structured JSON, in sequence order.</param>
/// <param name="Next">The <c>after</c> of the next call: the last sequence number listed, or the same <c>after</c> when none was.</param>
public sealed record EventPage(IReadOnlyList<JsonElement> Events, long Next);

/// <summary>
/// <c>GET /admin/api/events?vdnId=&amp;after=&amp;limit=</c>: a VDN's events in sequence order, for consumers that cannot
/// take webhooks. Numbers are taken in commit order, so a consumer that polls with the <c>next</c> it was given sees
/// every event exactly once, as long as it polls within <c>Ccfs:Events:Retention</c>.
/// </summary>
public static class EventEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static void Map(RouteGroupBuilder admin) =>
        admin.MapGet("/events", ListAsync).WithName("listEvents")
            .WithSummary("A VDN's events in sequence order: ?vdnId= (required), ?after= the previous page's next (default 0), ?limit= up to 1000")
            .Produces<EventPage>();

    private static async Task<IResult> ListAsync(HttpContext http, EventStore events, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var vdnId = AdminQuery.Vdn(http, "vdnId", problems);
        var after = AdminQuery.Long(http, "after", 0, long.MaxValue, problems) ?? 0;
        var limit = AdminQuery.Integer(http, "limit", 1, MaxPageSize, problems) ?? DefaultPageSize;
        if (vdnId is null && problems.Count == 0)
        {
            problems.Add("vdnId is required: each VDN's events have a sequence of their own");
        }

        if (problems.Count > 0)
        {
            return AdminResults.Invalid(problems[0], problems.Count > 1 ? problems : null);
        }

        var page = await events.ListAsync(vdnId!.Value, after, limit, cancellationToken);
        return AdminResults.Ok(new EventPage([.. page.Select(CloudEventFormat.ToJson)], page.Count == 0 ? after : page[^1].Sequence));
    }
}
