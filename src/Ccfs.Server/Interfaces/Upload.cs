using Ccfs.Audio;
using Ccfs.Protocol;
using Ccfs.Protocol.Wire;
using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Http;
using Ccfs.Server.Lifecycle;
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
    public static void Map(RouteGroupBuilder ivr, CompatibilityOptions compatibility)
    {
        const string summary = "Upload a prompt";
        const string description = "Stores a G.711 A-law, 8 kHz, mono WAV under the VDN's upload folder and answers with the name the IVR plays.";
        ivr.MapPost("/uploadFile", HandleAsync)
            .DescribedAs<UploadMsgBody, UploadedFileData>("uploadFile", summary, description).WithVdnIdQuery();
        if (compatibility.UploadAlias)
        {
            ivr.MapPost("/upload", HandleAsync)
                .DescribedAs<UploadMsgBody, UploadedFileData>("upload", summary + " (the documentation example's path)", description)
                .WithVdnIdQuery();
        }
    }

    private static async Task<IResult> HandleAsync(HttpContext http, SignedRequestReader reader, IParameterSource parameterSource,
        BodyBufferPool buffers, PromptInspection inspection, PromptWriter writer, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger(typeof(Upload).FullName!);

        // The VDN picks the size limit, so it is read before the body; it is trusted only once the signature is.
        var query = FormQuery.Parse(http.Request.QueryString.Value);
        var vdnText = FormQuery.Get(query, WireNames.VdnId);
        var hasVdn = VdnId.TryParse(vdnText, out var vdn);
        var parameters = hasVdn ? parameterSource.For(vdn) : parameterSource.Global;

        // The body is held in memory until the answer, so the request holds an upload slot from before it is read.
        var admission = await reader.ReadAsync(http, AdmissionPolicy.Upload, query, parameters.UploadBodyLimitBytes, new TooLarge(parameters));
        if (admission.Refusal is { } refusal)
        {
            return refusal;
        }

        using var request = admission.Request!;
        if (vdnText is null)
        {
            return Refuse(log, CcfsResult.Null(WireNames.VdnId), "the vdnId query parameter is missing");
        }

        if (!hasVdn)
        {
            return Refuse(log, vdnText.Length == 0 ? CcfsResult.Empty(WireNames.VdnId) : CcfsResult.Format(WireNames.VdnId),
                vdnText.Length == 0 ? "vdnId is empty" : VdnId.Explain(vdnText));
        }

        InterfaceCall.Of(http)?.VdnId = vdn;
        if (!request.Account.MayUse(vdn))
        {
            return CcfsResults.Spring(StatusCodes.Status401Unauthorized, $"access key {request.Account.AccessKey} is not bound to VDN {vdn}",
                "VdnNotBound");
        }

        Span<JsonValue> fields = stackalloc JsonValue[1];
        if (EnvelopeReader.Read(request.Body.Span, [WireNames.Data], fields, out var reason) is { } invalid)
        {
            return Refuse(log, invalid, reason);
        }

        var data = fields[0];
        if (MsgBody.CheckString(data, WireNames.Data) is { } badData)
        {
            return Refuse(log, badData, "msgBody.data must be a non-empty Base64 string");
        }

        if (!Base64Data.TryDecodeInPlace(request.Body.Span, data, buffers.Pool, out var start, out var length, out var notBase64))
        {
            return Refuse(log, CcfsResult.Format(WireNames.Data), notBase64);
        }

        if (length > parameters.UploadSizeLimitBytes)
        {
            return Refuse(log, CcfsResult.TooLong(WireNames.Data),
                $"the file is {length} bytes, over the limit of {parameters.UploadSizeLimitBytes}");
        }

        var file = request.Body.Memory.Slice(start, length);
        var wave = WaveValidator.Validate(file.Span, parameters.AcceptedEncodings);
        if (!wave.IsValid)
        {
            return Refuse(log, CcfsResult.Format(WireNames.Data), wave.Reason);
        }

        var prompt = inspection.Inspect(file.Span, wave, parameters);
        if (prompt is not null)
        {
            http.Response.Headers[PromptCheckLine.HeaderName] = prompt.HeaderValue;
            InterfaceCall.Of(http)?.Detail = prompt.HeaderValue;
            if (PromptInspection.Refuses(prompt, parameters))
            {
                return Refuse(log, CcfsResult.Format(WireNames.Data), PromptInspection.RefusalReason(prompt));
            }
        }

        var stored = await writer.StoreAsync(file, wave, vdn, parameters, request.Account.AccessKey, prompt?.HeaderValue);
        if (stored.QuotaFull is { } quotaFull)
        {
            // 0300003, the answer to a file too large: clients take it as final, and it is, until files go or the quota grows.
            return CcfsResults.Answer(CcfsResult.TooLong(WireNames.Data), quotaFull.Reason);
        }

        if (stored.Record is not { } record)
        {
            return CcfsResults.Unavailable(stored.Failure!);
        }

        LogStored(log, record.FileName, length, record.DurationMs, vdn, request.Account.AccessKey);
        InterfaceCall.Of(http)?.File = record.FileName;
        return CcfsResults.Success(CcfsResult.Success, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString(WireNames.FileName, record.FileName);
            writer.WriteStartArray(WireNames.LocationId);
            foreach (var id in record.Locations)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static IResult Refuse(ILogger log, CcfsResult result, string? reason)
    {
        LogRefused(log, result.Code, reason ?? result.Description);
        return CcfsResults.Answer(result, reason);
    }

    /// <summary>
    /// <c>0300003</c> for a body over the limit, refused from its headers: the reason gives the WAV size limit a client
    /// can act on, besides the body limit it passed. Formatted only when sent.
    /// </summary>
    private sealed class TooLarge(SystemParameters parameters) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => CcfsResults.Answer(CcfsResult.TooLong(WireNames.Data),
            $"the request body is over the {parameters.UploadBodyLimitBytes}-byte limit: "
            + $"the upload size limit is {parameters.UploadSizeLimitBytes} bytes of WAV").ExecuteAsync(httpContext);
    }

    [LoggerMessage(LogLevel.Debug, "Stored {FileName}: {Size} bytes, {DurationMs} ms, VDN {Vdn}, access key {AccessKey}")]
    private static partial void LogStored(ILogger logger, string fileName, int size, long durationMs, int vdn, string accessKey);

    [LoggerMessage(LogLevel.Debug, "Upload refused with {ResultCode}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string resultCode, string reason);
}
