using System.Security.Cryptography;
using Ccfs.Audio;
using Ccfs.Protocol;
using Ccfs.Server.Configuration;
using Ccfs.Server.Http;
using Ccfs.Server.Metadata;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Storage;
using Prometheus;

namespace Ccfs.Server.Interfaces;

/// <summary>
/// <c>POST /CCFS/resource/ccfs/ivr/uploadFile?vdnId=N</c> (spec §1.2): a Base64 WAV in, the stored file's name out.
/// Nothing is stored unless every check passed, and nothing is acknowledged before it is durable.
/// </summary>
public static partial class Upload
{
    public const string ConcurrencyPolicy = "upload";

    private const int NameAttempts = 5;

    public static void Map(RouteGroupBuilder ivr, CompatibilityOptions compatibility)
    {
        const string summary = "Upload a prompt";
        const string description = "Stores a G.711 A-law, 8 kHz, mono WAV under the VDN's upload folder and answers with the name the IVR plays.";
        ivr.MapPost("/uploadFile", HandleAsync).RequireRateLimiting(ConcurrencyPolicy)
            .DescribedAs<UploadMsgBody, UploadedFileData>("uploadFile", summary, description);
        if (compatibility.UploadAlias)
        {
            ivr.MapPost("/upload", HandleAsync).RequireRateLimiting(ConcurrencyPolicy)
                .DescribedAs<UploadMsgBody, UploadedFileData>("upload", summary + " (the documentation example's path)", description);
        }
    }

    private static async Task<IResult> HandleAsync(HttpContext http, SignedRequestReader reader, IParameterSource parameterSource,
        BodyBufferPool buffers, LocationSet locations, IFileCatalog catalog, CcfsSettings settings, TimeProvider time,
        CcfsMetrics metrics, ILoggerFactory loggers)
    {
        using var inFlight = metrics.UploadsInFlight.TrackInProgress();
        return await StoreOrRefuseAsync(http, reader, parameterSource, buffers, locations, catalog, settings, time, metrics,
            loggers.CreateLogger(typeof(Upload).FullName!));
    }

    private static async Task<IResult> StoreOrRefuseAsync(HttpContext http, SignedRequestReader reader, IParameterSource parameterSource,
        BodyBufferPool buffers, LocationSet locations, IFileCatalog catalog, CcfsSettings settings, TimeProvider time,
        CcfsMetrics metrics, ILogger log)
    {
        // The VDN picks the size limit, so it is read before the body; it is trusted only once the signature is.
        var query = FormQuery.Parse(http.Request.QueryString.Value);
        var vdnText = FormQuery.Get(query, "vdnId");
        var hasVdn = VdnId.TryParse(vdnText, out var vdn);
        var parameters = hasVdn ? parameterSource.For(vdn) : parameterSource.Global;

        var admission = await reader.ReadAsync(http, query, parameters.UploadBodyLimitBytes, "data");
        if (admission.Refusal is { } refusal)
        {
            return refusal;
        }

        using var request = admission.Request!;
        if (vdnText is null)
        {
            return Refuse(log, CcfsResult.Null("vdnId"), "the vdnId query parameter is missing");
        }

        if (!hasVdn)
        {
            return Refuse(log, vdnText.Length == 0 ? CcfsResult.Empty("vdnId") : CcfsResult.Format("vdnId"),
                "vdnId must be a positive integer");
        }

        InterfaceCall.Of(http)?.VdnId = vdn;
        if (!request.Account.MayUse(vdn))
        {
            return CcfsResults.Spring(StatusCodes.Status401Unauthorized, $"access key {request.Account.AccessKey} is not bound to VDN {vdn}",
                "VdnNotBound");
        }

        Span<JsonValue> fields = stackalloc JsonValue[1];
        if (EnvelopeReader.Read(request.Body.Span, ["data"], fields) is { } invalid)
        {
            return Refuse(log, invalid, "the request body is not a valid CC-FS envelope");
        }

        var data = fields[0];
        if (MsgBody.CheckString(data, "data") is { } badData)
        {
            return Refuse(log, badData, "msgBody.data must be a non-empty Base64 string");
        }

        if (!Base64Data.TryDecodeInPlace(request.Body.Span, data, buffers.Pool, out var start, out var length))
        {
            return Refuse(log, CcfsResult.Format("data"), "msgBody.data is not valid Base64");
        }

        if (length > parameters.UploadSizeLimitBytes)
        {
            return Refuse(log, CcfsResult.TooLong("data"),
                $"the file is {length} bytes, over the limit of {parameters.UploadSizeLimitBytes}");
        }

        var file = request.Body.Memory.Slice(start, length);
        var wave = WaveValidator.Validate(file.Span, parameters.AcceptedEncodings);
        if (!wave.IsValid)
        {
            return Refuse(log, CcfsResult.Format("data"), wave.Reason);
        }

        var folder = parameters.UploadPathRule.FolderFor(vdn);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(file.Span));
        for (var attempt = 0; attempt < NameAttempts; attempt++)
        {
            var path = folder + "/" + GeneratedFileName.Create(time);
            var record = new FileRecord(path, $"{parameters.DriveLetter}:{path}", vdn, length, sha256,
                WaveEncodingNames.ConfigName(wave.Encoding), (long)wave.Duration.TotalMilliseconds, request.Account.AccessKey,
                time.GetUtcNow(), locations.Ids);
            var outcome = await StoreAsync(record, file, locations, catalog, log);
            if (outcome == StoreOutcome.NameTaken)
            {
                continue;
            }

            if (outcome == StoreOutcome.Failed)
            {
                return CcfsResults.Unavailable("the file could not be stored; nothing was kept");
            }

            LogStored(log, record.FileName, length, record.DurationMs, vdn, request.Account.AccessKey);
            InterfaceCall.Of(http)?.File = record.FileName;
            metrics.BytesStored.Inc((double)length * record.Locations.Count);
            return CcfsResults.Success(CcfsResult.Success with { Description = settings.Compatibility.SuccessDescription }, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("fileName", record.FileName);
                writer.WriteStartArray("locationId");
                foreach (var id in record.Locations)
                {
                    writer.WriteStringValue(id);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }

        return CcfsResults.Unavailable($"no free file name after {NameAttempts} attempts");
    }

    private enum StoreOutcome
    {
        Stored,
        NameTaken,
        Failed,
    }

    /// <summary>Reserve the name, write every copy, then commit the row; undo everything on any failure.</summary>
    private static async Task<StoreOutcome> StoreAsync(FileRecord record, ReadOnlyMemory<byte> file, LocationSet locations,
        IFileCatalog catalog, ILogger log)
    {
        var storagePath = record.Path[1..];
        try
        {
            if (!await catalog.TryReserveAsync(record, CancellationToken.None))
            {
                return StoreOutcome.NameTaken;
            }
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "reserving the name");
            return StoreOutcome.Failed;
        }

        try
        {
            await locations.WriteEverywhereAsync(storagePath, file);
        }
        catch (FileAlreadyExistsException)
        {
            await ReleaseAsync(catalog, record, log);
            return StoreOutcome.NameTaken;
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "writing the copies");
            await ReleaseAsync(catalog, record, log);
            return StoreOutcome.Failed;
        }

        try
        {
            await catalog.CommitAsync(record.Path, record.Locations, CancellationToken.None);
            return StoreOutcome.Stored;
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "committing the catalog row");
            try
            {
                await locations.DeleteEverywhereAsync(storagePath);
            }
            catch (Exception cleanup)
            {
                // The pending row stays, so start-up recovery removes the copies later.
                LogStoreFailed(log, cleanup, record.FileName, "removing the copies after a failed commit");
                return StoreOutcome.Failed;
            }

            await ReleaseAsync(catalog, record, log);
            return StoreOutcome.Failed;
        }
    }

    private static async Task ReleaseAsync(IFileCatalog catalog, FileRecord record, ILogger log)
    {
        try
        {
            await catalog.ReleaseAsync(record.Path, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "releasing the name (start-up recovery will)");
        }
    }

    private static IResult Refuse(ILogger log, CcfsResult result, string? reason)
    {
        LogRefused(log, result.Code, reason ?? result.Description);
        return CcfsResults.Answer(result, reason);
    }

    [LoggerMessage(LogLevel.Information, "Stored {FileName}: {Size} bytes, {DurationMs} ms, VDN {Vdn}, access key {AccessKey}")]
    private static partial void LogStored(ILogger logger, string fileName, int size, long durationMs, int vdn, string accessKey);

    [LoggerMessage(LogLevel.Information, "Upload refused with {ResultCode}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string resultCode, string reason);

    [LoggerMessage(LogLevel.Error, "Upload of {FileName} failed while {Step}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string fileName, string step);
}
