using Ccfs.Server.Catalog;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Quotas;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Admin;

/// <param name="Pinned">True after a pin, false after an unpin.</param>
/// <param name="Changed">False when the file already was as asked (pinned twice, or unpinned when it was not pinned).</param>
public sealed record PinView(string FileName, bool Pinned, bool Changed);

/// <param name="RetainFor">The VDN's retainFor; absent: it keeps files forever, and nothing is listed.</param>
/// <param name="Files">The oldest first, at most <c>limit</c>.</param>
/// <param name="More">More files are expired than listed.</param>
public sealed record RetentionPreview(int VdnId, TimeSpan? RetainFor, IReadOnlyList<ExpiredFileView> Files, long Bytes, bool More);

/// <param name="CreatedAt">When the catalog stored it; with <paramref name="StoreOnly"/>, its last-modified time in the location.</param>
/// <param name="StoreOnly">No catalog row lists it: a recording the IVR wrote, or a file placed past ccfs.</param>
public sealed record ExpiredFileView(string FileName, long SizeBytes, DateTimeOffset CreatedAt, DateTimeOffset ExpiredAt, bool StoreOnly);

/// <summary>
/// Retention by hand (docs/quotas-and-retention.md): pin a stored file, or a recording no catalog row lists, so no sweep
/// deletes it, unpin it, and see what the next sweep of a VDN would delete and how many bytes that frees.
/// </summary>
public static class RetentionEndpoints
{
    public const int DefaultPreviewLimit = 1000;

    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/files/pin", (HttpContext http, IParameterSource parameters, IFileCatalog catalog, RetentionStore store, LocationSet locations,
                TimeProvider time) => PinAsync(http, parameters, catalog, store, locations, time, pin: true))
            .WithName("pinFile").WithSummary("Exempt a stored file from retention: ?fileName=");
        admin.MapPost("/files/unpin", (HttpContext http, IParameterSource parameters, IFileCatalog catalog, RetentionStore store, LocationSet locations,
                TimeProvider time) => PinAsync(http, parameters, catalog, store, locations, time, pin: false))
            .WithName("unpinFile").WithSummary("Let retention delete a pinned file again: ?fileName=");
        admin.MapGet("/retention/preview", PreviewAsync)
            .WithName("previewRetention").WithSummary("What the next retention sweep of ?vdnId= would delete, and the bytes it frees; ?limit= up to 10000");
    }

    private static async Task<IResult> PinAsync(HttpContext http, IParameterSource parameters, IFileCatalog catalog, RetentionStore store,
        LocationSet locations, TimeProvider time, bool pin)
    {
        var (named, record, refusal) = await StoredPrompts.FindAsync(http, parameters, catalog);
        (string Path, int VdnId, string FileName)? file;
        try
        {
            file = record is not null ? (record.Path, record.VdnId, record.FileName) : await RecordingAsync(http, parameters, locations, pin);
        }
        catch (OutsideRootException)
        {
            return AdminResults.Invalid($"{AdminQuery.Text(http, "fileName")} leads through a link, and retention follows none: "
                + "pin the file under its own name");
        }

        if (file is not { } found)
        {
            return pin && named is not null
                ? AdminResults.NotFound($"{AdminQuery.Text(http, "fileName")} is not stored, and no location holds it as a recording under a "
                    + "download rule folder of its VDN: only those can be pinned")
                : refusal!;
        }

        var (path, vdnId, fileName) = found;
        Observability.InterfaceCall.Of(http)?.VdnId = vdnId;
        if (!pin)
        {
            return AdminResults.Ok(new PinView(fileName, false, await store.UnpinAsync(path, http.RequestAborted)));
        }

        var (actor, at) = (AdminAuth.Request(http).Account.AccessKey, time.GetUtcNow());
        var outcome = await store.PinAsync(path, vdnId, record is not null, actor, at, http.RequestAborted);
        switch (outcome)
        {
            case PinOutcome.BeingDeleted:
                return AdminResults.Conflict($"{fileName} is being deleted (by retention, or a delete in progress): it can no longer be pinned");
            case PinOutcome.Gone:
                return AdminResults.NotFound($"{fileName} was deleted while it was being pinned");
        }

        // A recording has no row to lock: retention may have deleted it since it was found. Once pinned, it is kept;
        // if it is gone now, the pin just made is taken back.
        if (record is null && outcome == PinOutcome.Pinned && !await HeldAsync(locations, StoragePath.FromCatalogKey(path), http.RequestAborted))
        {
            await store.WithdrawPinAsync(path, actor, at, CancellationToken.None);
            return AdminResults.NotFound($"{fileName} was deleted while it was being pinned");
        }

        return AdminResults.Ok(new PinView(fileName, true, outcome == PinOutcome.Pinned));
    }

    private static async Task<bool> HeldAsync(LocationSet locations, StoragePath path, CancellationToken cancellationToken)
    {
        foreach (var location in locations.Stores)
        {
            if (await location.StatAsync(path, cancellationToken) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A file no catalog row lists, named under an upload or download rule folder of its VDN (a recording): to pin, some
    /// location must hold it as the sweep lists it (on disk, a regular file with no link on its way: a link's name is not
    /// the one the sweep would find); an unpin needs no file, so a pin outlives a recording removed past ccfs no longer
    /// than asked.
    /// </summary>
    /// <exception cref="OutsideRootException">The name leads through a link on disk.</exception>
    private static async Task<(string Path, int VdnId, string FileName)?> RecordingAsync(HttpContext http, IParameterSource parameters,
        LocationSet locations, bool pin)
    {
        var fileName = AdminQuery.Text(http, "fileName") ?? "";
        if (fileName.Length == 0 || !char.IsAsciiLetter(fileName[0]) || !LogicalPath.TryParse(fileName, char.ToUpperInvariant(fileName[0]), out var path, out _))
        {
            return null;
        }

        foreach (var set in parameters.All)
        {
            // The sweep lists the upload folder as well as the download ones, whether or not a download rule covers it.
            foreach (var rule in set.DownloadPathRules.Prepend(set.UploadPathRule))
            {
                if (path!.Segments.Count > rule.SegmentCount && rule.TryMatchPrefix(path.Segments, out var vdnId)
                    && ReferenceEquals(parameters.For(vdnId), set) && set.DriveLetter == char.ToUpperInvariant(fileName[0]))
                {
                    return !pin || await HeldAsync(locations, path.StoragePath, http.RequestAborted)
                        ? (path.Path, vdnId, $"{set.DriveLetter}:{path.Path}")
                        : null;
                }
            }
        }

        return null;
    }

    private static async Task<IResult> PreviewAsync(HttpContext http, IParameterSource parameters, RetentionCandidates candidates)
    {
        var problems = new List<string>();
        var vdnId = AdminQuery.Vdn(http, "vdnId", problems);
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
        var files = await candidates.NextSweepAsync(vdnId!.Value, limit + 1, http.RequestAborted);
        var listed = files.Take(limit).ToList();
        return AdminResults.Ok(new RetentionPreview(vdnId.Value, parameters.For(vdnId.Value).RetainFor,
            [.. listed.Select(f => new ExpiredFileView(f.FileName, f.SizeBytes, f.CreatedAt, f.ExpiredAt, f.StoreOnly))], listed.Sum(f => f.SizeBytes),
            files.Count > limit));
    }
}
