using Ccfs.Server.Catalog;
using Ccfs.Server.Parameters;
using Ccfs.Server.Quotas;

namespace Ccfs.Server.Admin;

/// <param name="Pinned">True after a pin, false after an unpin.</param>
/// <param name="Changed">False when the file already was as asked (pinned twice, or unpinned when it was not pinned).</param>
public sealed record PinView(string FileName, bool Pinned, bool Changed);

/// <param name="RetainFor">The VDN's retainFor; absent: it keeps files forever, and nothing is listed.</param>
/// <param name="Files">The oldest first, at most <c>limit</c>.</param>
/// <param name="More">More files are expired than listed.</param>
public sealed record RetentionPreview(int VdnId, TimeSpan? RetainFor, IReadOnlyList<ExpiredFileView> Files, long Bytes, bool More);

public sealed record ExpiredFileView(string FileName, long SizeBytes, DateTimeOffset CreatedAt, DateTimeOffset ExpiredAt);

/// <summary>
/// Retention by hand (docs/quotas-and-retention.md): pin a stored file so no sweep deletes it, unpin it, and see what the
/// next sweep of a VDN would delete and how many bytes that frees.
/// </summary>
public static class RetentionEndpoints
{
    public const int DefaultPreviewLimit = 1000;

    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/files/pin", (HttpContext http, IParameterSource parameters, IFileCatalog catalog, RetentionStore store, TimeProvider time) =>
                PinAsync(http, parameters, catalog, store, time, pin: true))
            .WithName("pinFile").WithSummary("Exempt a stored file from retention: ?fileName=");
        admin.MapPost("/files/unpin", (HttpContext http, IParameterSource parameters, IFileCatalog catalog, RetentionStore store, TimeProvider time) =>
                PinAsync(http, parameters, catalog, store, time, pin: false))
            .WithName("unpinFile").WithSummary("Let retention delete a pinned file again: ?fileName=");
        admin.MapGet("/retention/preview", PreviewAsync)
            .WithName("previewRetention").WithSummary("What the next retention sweep of ?vdnId= would delete, and the bytes it frees; ?limit= up to 10000");
    }

    private static async Task<IResult> PinAsync(HttpContext http, IParameterSource parameters, IFileCatalog catalog, RetentionStore store,
        TimeProvider time, bool pin)
    {
        var (_, record, refusal) = await StoredPrompts.FindAsync(http, parameters, catalog);
        if (refusal is not null)
        {
            return refusal;
        }

        var file = record!;
        Observability.InterfaceCall.Of(http)?.VdnId = file.VdnId;
        var changed = pin
            ? await store.PinAsync(file.Path, file.VdnId, AdminAuth.Request(http).Account.AccessKey, time.GetUtcNow(), http.RequestAborted)
            : await store.UnpinAsync(file.Path, http.RequestAborted);
        return AdminResults.Ok(new PinView(file.FileName, pin, changed));
    }

    private static async Task<IResult> PreviewAsync(HttpContext http, IParameterSource parameters, RetentionCandidates candidates)
    {
        var problems = new List<string>();
        var vdnId = AdminQuery.Integer(http, "vdnId", 1, int.MaxValue, problems);
        var limit = AdminQuery.Integer(http, "limit", 1, 10_000, problems) ?? DefaultPreviewLimit;
        if (vdnId is null && problems.Count == 0)
        {
            problems.Add("the vdnId query parameter is missing");
        }

        if (problems.Count > 0)
        {
            return AdminResults.Invalid(problems[0]);
        }

        Observability.InterfaceCall.Of(http)?.VdnId = vdnId;
        var files = await candidates.ExpiredAsync(vdnId!.Value, limit + 1, http.RequestAborted);
        var listed = files.Take(limit).ToList();
        return AdminResults.Ok(new RetentionPreview(vdnId.Value, parameters.For(vdnId.Value).RetainFor,
            [.. listed.Select(f => new ExpiredFileView(f.FileName, f.SizeBytes, f.CreatedAt, f.ExpiredAt))], listed.Sum(f => f.SizeBytes),
            files.Count > limit));
    }
}
