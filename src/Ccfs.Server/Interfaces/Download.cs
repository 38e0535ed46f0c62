using Ccfs.Protocol;
using Ccfs.Protocol.Wire;
using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Faults;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Interfaces;

/// <summary>
/// <c>POST /CCFS/resource/ccfs/ivr/downloadFile</c> (spec §1.5): streams a file under the download path rule, such
/// as an IVR recording or an uploaded prompt. With <c>mode</c> 1 the path is a folder that must hold exactly one file.
/// Locations are searched in their configured order. A copy a delete has marked (its row, or that location's copy) is
/// no longer the file's, even while its bytes are still there (an unlink that failed, or one not done yet): as for
/// getFileHash, it is not served.
/// </summary>
public static class Download
{
    public static void Map(RouteGroupBuilder ivr) => ivr.MapPost("/downloadFile", HandleAsync)
        .DescribedAs<DownloadMsgBody, string>("downloadFile", "Download a recording or a prompt",
            "Streams the file (Application/Octet-stream;charset=UTF-8) when it exists under the download path rule; otherwise a CC-FS answer.")
        .Produces(StatusCodes.Status200OK, contentType: FileDownloadResult.ContentType);

    private static async Task<IResult> HandleAsync(HttpContext http, SignedRequestReader reader, IParameterSource parameters,
        AccountFlowControl flowControl, LocationSet locations, IFileCatalog catalog, DeleteMarks marks, CcfsSettings settings)
    {
        var admission = await reader.ReadPathRequestAsync(http, AdmissionPolicy.PathRequest, WireNames.FilePath);
        if (admission.Refusal is { } refusal)
        {
            return refusal;
        }

        using var request = admission.Request!;
        if (!flowControl.TryDownload(request.Account.AccessKey, out var retryAfter))
        {
            return CcfsResults.RetryAfter(CcfsResults.Answer(CcfsResult.DownloadFlowControl, $"more than {settings.Limits.Download.PermitLimit} "
                + $"downloads in {settings.Limits.Download.Window.TotalSeconds:0.###} s for this access key"), retryAfter);
        }

        var body = request.Body.Span;
        if (MsgBody.ReadPathEnvelope(body, WireNames.FilePath, WireNames.Mode, out var filePath, out var modeValue, out var reason) is { } invalid)
        {
            return CcfsResults.Answer(invalid, reason);
        }

        if (MsgBody.OptionalInteger(body, modeValue, WireNames.Mode, out var mode) is { } badMode)
        {
            return CcfsResults.Answer(badMode, "mode must be an integer; 1 means filePath is a folder");
        }

        var folderMode = mode == 1;
        var verdict = TenantPaths.Check(filePath, WireNames.FilePath, folderMode ? PathUse.DownloadFolder : PathUse.DownloadFile,
            parameters, request.Account);
        InterfaceCall.Of(http)?.File = filePath;
        verdict.Describe(InterfaceCall.Of(http));
        if (!verdict.IsAllowed)
        {
            return verdict.ToRefusal();
        }

        // A rehearsal's delay is waited before any file is opened, not with one open (Faults/InjectedDelay).
        await InjectedDelay.WaitIfAnyAsync(http);
        if (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }

        var path = verdict.Path!;
        try
        {
            foreach (var store in locations.Stores)
            {
                var file = path.StoragePath;
                if (folderMode)
                {
                    var names = await store.ListFilesAsync(file, CancellationToken.None);
                    if (names is null || names.Count == 0)
                    {
                        continue;
                    }

                    if (names.Count > 1)
                    {
                        return CcfsResults.Answer(CcfsResult.Format(WireNames.FilePath),
                            $"the folder holds {names.Count} files in location {store.LocationId}; mode 1 needs exactly one");
                    }

                    if (!file.TryChild(names[0], out file))
                    {
                        return CcfsResults.Answer(CcfsResult.FileNotFound, $"the folder's one file, '{names[0]}', has a name no path may hold");
                    }
                }

                // Asked of the catalog only while a mark may be there: almost always none is, and the read would cost every download.
                if (marks.MayExist && await catalog.IsBeingDeletedAsync(file.CatalogKey, store.LocationId, CancellationToken.None))
                {
                    continue;
                }

                var content = await store.OpenReadAsync(file, CancellationToken.None);
                if (content is not null)
                {
                    return new FileDownloadResult(content, file.Value[(file.Value.LastIndexOf('/') + 1)..]);
                }
            }
        }
        catch (Exception e) when (StorageAnswers.For(e, WireNames.FilePath, "the file could not be read") is { } answer)
        {
            return answer;
        }

        return CcfsResults.Answer(CcfsResult.FileNotFound, folderMode ? "the folder holds no file" : null);
    }
}
