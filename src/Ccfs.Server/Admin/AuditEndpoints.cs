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

    private static async Task<IResult> QueryAsync(HttpContext http, AuditTrail trail, IAuditStore store)
    {
        var problems = new List<string>();
        AdminQuery.RefuseUnknown(http, problems, "limit", "before", "accessKey", "vdnId", "interface", "file");
        var limit = AdminQuery.Integer(http, "limit", 1, MaxLimit, problems) ?? DefaultLimit;
        var before = AdminQuery.Long(http, "before", 0, long.MaxValue, problems);
        var vdnId = AdminQuery.Integer(http, "vdnId", 0, int.MaxValue, problems);
        if (problems.Count > 0)
        {
            return AdminResults.Invalid("the query is not valid", problems);
        }

        await trail.FlushAsync(http.RequestAborted);
        var entries = await store.QueryAsync(new AuditQuery(before, limit, AdminQuery.Text(http, "accessKey"), vdnId,
            AdminQuery.Text(http, "interface"), AdminQuery.Text(http, "file")), http.RequestAborted);
        return AdminResults.Ok(new AuditPage(entries, entries.Count == limit ? entries[^1].Id : null));
    }
}
