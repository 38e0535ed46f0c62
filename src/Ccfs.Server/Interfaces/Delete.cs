using Ccfs.Protocol;
using Ccfs.Protocol.Wire;
using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Http;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Interfaces;

/// <summary>
/// <c>POST /CCFS/resource/ccfs/ivr/deleteFile</c> (spec §1.3): removes an uploaded file from every location, or with
/// <c>locationId</c> from that one only. The catalog row goes with the last copy.
/// </summary>
public static partial class Delete
{
    public static void Map(RouteGroupBuilder ivr) => ivr.MapPost("/deleteFile", HandleAsync)
        .DescribedAs<FileMsgBody, string>("deleteFile", "Delete an uploaded file",
            "Removes the file from every location, or from locationId only; the catalog row goes with the last copy.");

    private static async Task<IResult> HandleAsync(HttpContext http, SignedRequestReader reader, IParameterSource parameters,
        LocationSet locations, FileRemoval removal, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger(typeof(Delete).FullName!);
        var admission = await reader.ReadPathRequestAsync(http, AdmissionPolicy.Delete, WireNames.FileName);
        if (admission.Refusal is { } refusal)
        {
            return refusal;
        }

        using var request = admission.Request!;
        if (!UploadedFileRequest.TryRead(request, parameters, locations, InterfaceCall.Of(http), out var target, out var invalid))
        {
            return invalid!;
        }

        var (_, path, only) = target;
        try
        {
            var deleted = only is null
                ? await removal.EverywhereAsync(path, request.Account.AccessKey)
                : await removal.FromAsync(path, only, request.Account.AccessKey);
            if (!deleted)
            {
                return CcfsResults.Answer(CcfsResult.FileNotFound, only is null ? null : $"location {only.LocationId} holds no copy");
            }
        }
        catch (Exception e) when (StorageAnswers.For(e, WireNames.FileName, "the file could not be deleted now") is { } answer)
        {
            LogFailed(log, e, path.Path);
            return answer;
        }

        LogDeleted(log, path.Path, only?.LocationId ?? "every location", request.Account.AccessKey);
        return CcfsResults.Answer(CcfsResult.Success);
    }

    [LoggerMessage(LogLevel.Debug, "Deleted {Path} from {Location} for access key {AccessKey}")]
    private static partial void LogDeleted(ILogger logger, string path, string location, string accessKey);

    [LoggerMessage(LogLevel.Error, "Deleting {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path);
}
