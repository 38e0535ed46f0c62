using Ccfs.Server.Observability;

namespace Ccfs.Server.Admin;

/// <param name="Size">How many requests the journal keeps (<c>Ccfs:Journal:Size</c>).</param>
/// <param name="Next">The <c>after</c> of the next read, to follow the journal.</param>
public sealed record JournalPage(int Size, IReadOnlyList<JournalEntry> Entries, long Next);

/// <summary>
/// <c>GET /admin/api/journal?after=&amp;limit=&amp;accessKey=&amp;vdnId=</c>: the last requests of this node and how each
/// was answered, oldest first; with <c>after</c>, those that came since (<c>next</c> of the previous read).
/// </summary>
public static class JournalEndpoints
{
    public const int DefaultLimit = 100;

    public static void Map(RouteGroupBuilder admin) => admin.MapGet("/journal", Read)
        .WithName("readJournal").WithSummary("The last requests and how each was answered; ?after= the previous next, ?limit=, ?accessKey=, ?vdnId=")
        .Produces<JournalPage>();

    private static IResult Read(HttpContext http, RequestJournal journal)
    {
        var problems = new List<string>();
        var after = AdminQuery.Long(http, "after", 0, long.MaxValue, problems);
        var limit = AdminQuery.Integer(http, "limit", 1, RequestJournal.MaxPage, problems) ?? DefaultLimit;
        var vdnId = AdminQuery.Vdn(http, "vdnId", problems);
        if (problems.Count > 0)
        {
            return AdminResults.Invalid("the query is not valid", problems);
        }

        var (entries, next) = journal.Read(after, limit, AdminQuery.Text(http, "accessKey"), vdnId);
        return AdminResults.Ok(new JournalPage(journal.Size, entries, next));
    }
}
