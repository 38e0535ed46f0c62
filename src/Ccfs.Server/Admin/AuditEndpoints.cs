using System.Globalization;
using Ccfs.Server.Audit;

namespace Ccfs.Server.Admin;

/// <param name="Next">The <c>before</c> value of the next (older) page; null on the last page.</param>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? Next);

/// <summary>Reads the audit trail, newest first, in pages: <c>GET /admin/api/audit?limit=&amp;before=&amp;accessKey=&amp;vdnId=&amp;interface=&amp;file=</c>.</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void Map(RouteGroupBuilder admin) =>
        admin.MapGet("/audit", QueryAsync).WithName("getAudit").WithSummary("The audit trail, newest first, with keyset paging");

    private static async Task<IResult> QueryAsync(HttpContext http, AuditTrail trail, SqliteAuditStore store)
    {
        // Read here rather than bound by the framework, so a malformed query is answered after the signature check.
        var query = http.Request.Query;
        var problems = new List<string>();
        var limit = Integer(query["limit"], "limit", problems) ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            problems.Add($"limit must be between 1 and {MaxLimit}");
        }

        var before = Integer(query["before"], "before", problems);
        var vdnId = Integer(query["vdnId"], "vdnId", problems);
        if (problems.Count > 0)
        {
            return AdminResults.Invalid("the query is not valid", problems);
        }

        await trail.FlushAsync(http.RequestAborted);
        var entries = await store.QueryAsync(new AuditQuery(before, (int)limit, Text(query["accessKey"]), (int?)vdnId, Text(query["interface"]),
            Text(query["file"])), http.RequestAborted);
        return AdminResults.Ok(new AuditPage(entries, entries.Count == limit ? entries[^1].Id : null));
    }

    private static long? Integer(string? text, string name, List<string> problems)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= int.MaxValue)
        {
            return value;
        }

        problems.Add($"{name} must be a non-negative integer");
        return null;
    }

    private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
