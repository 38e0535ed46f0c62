using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using Ccfs.Audio;
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
using Microsoft.AspNetCore.Mvc;

namespace Ccfs.Server.Admin;

/// <param name="Files">Stored files.</param>
/// <param name="Bytes">Their bytes.</param>
/// <param name="HasOverrides">The VDN has parameters of its own.</param>
/// <param name="Quota">The VDN's quota and its usage as the quota counts it.</param>
/// <param name="RetainFor">How long its files are kept; absent: forever.</param>
public sealed record VdnView(int VdnId, long Files, long Bytes, bool HasOverrides, QuotaView Quota, TimeSpan? RetainFor);

/// <param name="UsedFiles">Files stored or being uploaded: what the quota counts.</param>
/// <param name="UsedBytes">Their bytes.</param>
/// <param name="QuotaFiles">quotaFiles in force; absent: unlimited.</param>
/// <param name="QuotaBytes">quotaMb in force, in bytes; absent: unlimited.</param>
/// <param name="PercentUsed">Of the fuller limit, 0 to 100 (or more, after a quota was lowered); absent when unlimited.</param>
public sealed record QuotaView(long UsedFiles, long UsedBytes, long? QuotaFiles, long? QuotaBytes, double? PercentUsed);

public sealed record VdnList(IReadOnlyList<VdnView> Vdns);

/// <param name="PromptCheck">The prompt-quality findings made at upload; absent for files stored before 0.10 or with promptCheck=off.</param>
/// <param name="Pinned">Exempt from retention.</param>
/// <param name="ExpiresAt">When retention deletes it unless pinned; absent when its VDN keeps files forever.</param>
public sealed record FileView(string FileName, string Path, int VdnId, long SizeBytes, long DurationMs, string Encoding, string Sha256,
    string AccessKey, DateTimeOffset CreatedAt, IReadOnlyList<string> Locations, PromptCheckView? PromptCheck, bool Pinned = false,
    DateTimeOffset? ExpiresAt = null)
{
    public static FileView Of(FileRecord r, bool pinned, DateTimeOffset? expiresAt) => new(r.FileName, r.Path, r.VdnId, r.SizeBytes,
        r.DurationMs, r.Encoding, r.Sha256, r.AccessKey, r.CreatedAt, r.Locations, PromptCheckView.Of(r.PromptCheck), pinned, expiresAt);
}

/// <param name="Next">The <c>after</c> value of the next page; absent on the last page.</param>
public sealed record FilePage(IReadOnlyList<FileView> Files, string? Next);

/// <param name="ConvertedFrom">The format the upload had, when the server converted it to A-law.</param>
public sealed record StoredPromptView(string FileName, IReadOnlyList<string> LocationId, long DurationMs, string? ConvertedFrom,
    PromptCheckView? PromptCheck);

public sealed record DeletedPromptView(string FileName);

/// <param name="Min">The lowest sample of each bucket, in [-1, 1].</param>
/// <param name="Max">The highest sample of each bucket, in [-1, 1].</param>
public sealed record PeaksView(string FileName, int SampleRate, long Frames, long DurationMs, float[] Min, float[] Max);

/// <summary>
/// The admin page's view of stored prompts: VDNs, their files page by page, a prompt as PCM the browser plays, its
/// waveform, and upload (any WAV, converted to A-law here) and delete through the same steps as the CC-FS interfaces.
/// An administrator may touch every VDN. A stored prompt is found by its catalog row (<see cref="StoredPrompts"/>), so
/// one stored under an earlier path rule can still be played and deleted here.
/// </summary>
public static partial class FileEndpoints
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;
    public const int DefaultPoints = 400;

    private static readonly string[] WaveMediaTypes = ["audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream"];

    public static void Map(RouteGroupBuilder admin, CcfsSettings settings)
    {
        admin.MapGet("/vdns", ListVdnsAsync)
            .WithName("listVdns").WithSummary("VDNs with stored files or parameters of their own");
        admin.MapGet("/vdns/{vdnId}/files", ListFilesAsync)
            .WithName("listFiles").WithSummary(
                "A VDN's stored files, newest first; ?after= the previous page's next, ?limit= up to 1000, ?promptCheck=failed");
        admin.MapGet("/files/audio", AudioAsync)
            .WithName("playFile").WithSummary("A stored prompt decoded to 16-bit PCM WAV, which browsers play")
            .WithMetadata(AuditedRead.Instance);
        admin.MapGet("/files/peaks", PeaksAsync)
            .WithName("fileWaveform").WithSummary("Lowest and highest sample of ?points= equal buckets of a stored prompt")
            .WithMetadata(AuditedRead.Instance);
        admin.MapPost("/vdns/{vdnId}/files", UploadAsync)
            .WithName("uploadPrompt").WithSummary("Store a WAV of any common format under a VDN, converted to 8 kHz mono A-law when needed")
            // No Accepts metadata: routing would answer 415 before the admin check runs; the handler checks the type.
            .WithDescription("The body is the WAV file itself, with Content-Type audio/wav or application/octet-stream.")
            // It holds its body in a pooled buffer like uploadFile, so it takes one of the same bounded slots.
            .WithMetadata(new AdminBodyLimit(settings.Admin.MaxUploadMb * 1024L * 1024L, Binary: true, Slot: SlotKind.Upload));
        admin.MapDelete("/files", DeleteAsync)
            .WithName("deletePrompt").WithSummary("Delete a stored prompt from every location")
            .WithMetadata(new AdminBodyLimit(Slot: SlotKind.Delete));
    }

    private static async Task<IResult> ListVdnsAsync(IFileCatalog catalog, RuntimeParameters parameters, CancellationToken cancellationToken)
    {
        var summaries = (await catalog.ListVdnsAsync(cancellationToken)).ToDictionary(v => v.VdnId);
        var usage = (await catalog.ListUsageAsync(cancellationToken)).Where(u => u.Files > 0).ToDictionary(u => u.VdnId);
        var overridden = parameters.Overrides.Vdns.Keys;
        var vdns = summaries.Keys.Union(usage.Keys).Union(overridden).Order().Select(id =>
        {
            var stored = summaries.GetValueOrDefault(id) ?? new VdnSummary(id, 0, 0);
            var used = usage.GetValueOrDefault(id) ?? new VdnUsage(id, 0, 0);
            var vdnParameters = parameters.For(id);
            var quota = vdnParameters.Quota;
            return new VdnView(id, stored.Files, stored.Bytes, overridden.Contains(id),
                new QuotaView(used.Files, used.Bytes, quota.MaxFiles, quota.MaxBytes,
                    quota.IsUnlimited ? null : Math.Round(quota.PercentUsed(used.Files, used.Bytes), 2)),
                vdnParameters.RetainFor);
        });
        return AdminResults.Ok(new VdnList([.. vdns]));
    }

    private static async Task<IResult> ListFilesAsync([FromRoute(Name = "vdnId")] string vdn, HttpContext http, IFileCatalog catalog, RetentionStore retention,
        Quotas.RetentionCandidates candidates, CancellationToken cancellationToken)
    {
        if (!AdminQuery.TryRouteVdn(vdn, out var vdnId, out var refusal))
        {
            return refusal!;
        }

        var problems = new List<string>();
        var limit = AdminQuery.Integer(http, "limit", 1, MaxPageSize, problems) ?? DefaultPageSize;
        if (problems.Count > 0)
        {
            return AdminResults.Invalid(problems[0]);
        }

        NewestFirstCursor? after = null;
        if (AdminQuery.Text(http, "after") is { } text && !FileCursor.TryParse(text, out after))
        {
            return AdminResults.Invalid($"after must be the next of the previous page (creation time in Unix milliseconds, ':', path), not '{text}'");
        }

        var promptCheck = AdminQuery.Text(http, "promptCheck");
        if (promptCheck is not (null or "failed"))
        {
            return AdminResults.Invalid($"promptCheck must be 'failed' (the files whose prompt failed a quality check), not '{promptCheck}'");
        }

        var rows = await catalog.ListNewestFirstAsync(vdnId, after, limit + 1, promptCheck is not null, cancellationToken);
        var page = rows.Take(limit).ToList();
        var pinned = (await retention.PinsAsync(vdnId, cancellationToken)).Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        return AdminResults.Ok(new FilePage([.. page.Select(r => FileView.Of(r, pinned.Contains(r.Path), candidates.ExpiresAt(vdnId, r.Path, r.CreatedAt)))],
            rows.Count > limit ? FileCursor.Format(page[^1]) : null));
    }

    private static async Task<IResult> AudioAsync(HttpContext http, IParameterSource parameters, LocationSet locations, IFileCatalog catalog)
    {
        var (record, file, refusal) = await ReadStoredAsync(http, parameters, locations, catalog);
        if (refusal is not null)
        {
            return refusal;
        }

        byte[] pcm;
        try
        {
            pcm = Pcm16Transcoder.Transcode(file!);
        }
        catch (UnsupportedAudioException e)
        {
            return AdminResults.Invalid($"{record!.FileName} cannot be decoded: {e.Message}");
        }
        finally
        {
            await file!.DisposeAsync();
        }

        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.File(pcm, "audio/wav");
    }

    private static async Task<IResult> PeaksAsync(HttpContext http, IParameterSource parameters, LocationSet locations, IFileCatalog catalog)
    {
        var problems = new List<string>();
        var points = AdminQuery.Integer(http, "points", 1, WavePeaks.MaxPoints, problems) ?? DefaultPoints;
        if (problems.Count > 0)
        {
            return AdminResults.Invalid(problems[0]);
        }

        var (record, file, refusal) = await ReadStoredAsync(http, parameters, locations, catalog);
        if (refusal is not null)
        {
            return refusal;
        }

        WavePeaks peaks;
        try
        {
            peaks = WavePeaks.Compute(file!, points);
        }
        catch (UnsupportedAudioException e)
        {
            return AdminResults.Invalid($"{record!.FileName} cannot be decoded: {e.Message}");
        }
        finally
        {
            await file!.DisposeAsync();
        }

        return AdminResults.Ok(new PeaksView(record!.FileName, peaks.SampleRate, peaks.Frames, (long)peaks.Duration.TotalMilliseconds,
            Round(peaks.Min), Round(peaks.Max)));
    }

    private static async Task<IResult> UploadAsync([FromRoute(Name = "vdnId")] string vdn, HttpContext http, IParameterSource parameterSource, PromptInspection inspection,
        PromptWriter writer, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger(typeof(FileEndpoints).FullName!);
        var request = AdminAuth.Request(http);
        if (!AdminQuery.TryRouteVdn(vdn, out var vdnId, out var refusal))
        {
            return refusal!;
        }

        InterfaceCall.Of(http)?.VdnId = vdnId;
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var media)
            || !WaveMediaTypes.Contains(media.MediaType, StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Json(new AdminError($"Content-Type must be audio/wav or application/octet-stream, not '{http.Request.ContentType}'"),
                AdminResults.Json, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (request.Body.Length == 0)
        {
            return AdminResults.Invalid("the body is empty; send the WAV file itself");
        }

        var parameters = parameterSource.For(vdnId);
        ReadOnlyMemory<byte> file = request.Body.Memory;
        var wave = WaveValidator.Validate(file.Span, parameters.AcceptedEncodings);
        string? convertedFrom = null;
        if (!wave.IsValid)
        {
            using var output = new MemoryStream();
            try
            {
                if (!MemoryMarshal.TryGetArray(file, out var segment))
                {
                    throw new InvalidOperationException("a pooled body is an array");
                }

                using var input = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
                // The WAV header's few bytes aside, a prompt is one byte a sample: more than the limit is refused as it shows.
                var source = AudioConverter.ConvertToPrompt(input, output,
                    PromptConversion.FormatOnly with { MaxSamples = parameters.UploadSizeLimitBytes }).Source;
                convertedFrom = $"{source.Describe()}, {source.SampleRate} Hz, {source.Channels} channel{(source.Channels == 1 ? "" : "s")}";
            }
            catch (UnsupportedAudioException e)
            {
                return AdminResults.Invalid($"the audio could not be read: {e.Message}; nothing was stored");
            }
            catch (PromptTooLongException)
            {
                return AdminResults.Invalid($"the prompt would be over VDN {vdnId}'s limit of {parameters.UploadSizeLimitBytes} bytes "
                    + "after conversion; nothing was stored");
            }

            file = output.ToArray();
            wave = WaveValidator.Validate(file.Span, parameters.AcceptedEncodings);
            if (!wave.IsValid)
            {
                return AdminResults.Invalid($"VDN {vdnId} does not accept the converted prompt: {wave.Reason}; nothing was stored");
            }
        }

        if (file.Length > parameters.UploadSizeLimitBytes)
        {
            return AdminResults.Invalid($"the prompt is {file.Length} bytes{(convertedFrom is null ? "" : " after conversion")}, "
                + $"over VDN {vdnId}'s limit of {parameters.UploadSizeLimitBytes}; nothing was stored");
        }

        var prompt = inspection.Inspect(file.Span, wave, parameters);
        if (prompt is not null)
        {
            http.Response.Headers[PromptCheckLine.HeaderName] = prompt.HeaderValue;
            InterfaceCall.Of(http)?.Detail = prompt.HeaderValue;
            if (PromptInspection.Refuses(prompt, parameters))
            {
                return AdminResults.Invalid($"{PromptInspection.RefusalReason(prompt)}; nothing was stored",
                    [.. prompt.Failures.Select(f => $"{f.Name}: {f.Finding}")]);
            }
        }

        var stored = await writer.StoreAsync(file, wave, vdnId, parameters, request.Account.AccessKey, prompt?.HeaderValue);
        if (stored.QuotaFull is { } quotaFull)
        {
            http.Response.Headers[CcfsResults.ReasonHeader] = quotaFull.Reason;
            return AdminResults.Conflict(quotaFull.ForPerson);
        }

        if (stored.Record is not { } record)
        {
            return AdminResults.Unavailable(stored.Failure!);
        }

        InterfaceCall.Of(http)?.File = record.FileName;
        LogStored(log, record.FileName, file.Length, convertedFrom ?? "as sent", vdnId, request.Account.AccessKey);
        return AdminResults.Created(new StoredPromptView(record.FileName, record.Locations, record.DurationMs, convertedFrom,
            PromptCheckView.Of(prompt?.HeaderValue)));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, IParameterSource parameters, FileRemoval removal, IFileCatalog catalog,
        ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger(typeof(FileEndpoints).FullName!);
        var (path, record, refusal) = await StoredPrompts.FindAsync(http, parameters, catalog);
        if (refusal is not null)
        {
            return refusal;
        }

        var fileName = record!.FileName;
        try
        {
            if (!await removal.EverywhereAsync(path!, AdminAuth.Request(http).Account.AccessKey))
            {
                return AdminResults.NotFound($"{fileName} is not stored");
            }
        }
        catch (OutsideRootException e)
        {
            return AdminResults.Invalid(e.Message);
        }
        catch (Exception e) when (StorageFailure.Is(e))
        {
            LogDeleteFailed(log, e, path!.Path);
            return AdminResults.Unavailable(e is RemovalFailedException ? e.Message : $"the file could not be deleted now: {e.Message}");
        }

        LogDeleted(log, path!.Path, AdminAuth.Request(http).Account.AccessKey);
        return AdminResults.Ok(new DeletedPromptView(fileName));
    }

    /// <summary>The catalog row of the named file and a copy opened from the first location that has one.</summary>
    private static async Task<(FileRecord? Record, Stream? File, IResult? Refusal)> ReadStoredAsync(HttpContext http,
        IParameterSource parameters, LocationSet locations, IFileCatalog catalog)
    {
        var (path, record, refusal) = await StoredPrompts.FindAsync(http, parameters, catalog);
        if (refusal is not null)
        {
            return (null, null, refusal);
        }

        foreach (var id in record!.Locations)
        {
            if (locations.Find(id) is { } store && await store.OpenReadAsync(path!.StoragePath, http.RequestAborted) is { } stream)
            {
                // Stored prompts are small and bounded by the size limit; decoding from memory keeps I/O asynchronous.
                var copy = new MemoryStream((int)Math.Min(record.SizeBytes, int.MaxValue));
                await using (stream)
                {
                    await stream.CopyToAsync(copy, http.RequestAborted);
                }

                copy.Position = 0;
                return (record, copy, null);
            }
        }

        return (null, null, AdminResults.NotFound($"no location holds a copy of {record.FileName}"));
    }

    private static float[] Round(float[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Round(values[i], 4);
        }

        return values;
    }

    [LoggerMessage(LogLevel.Debug, "Admin stored {FileName}: {Size} bytes ({Source}), VDN {Vdn}, access key {AccessKey}")]
    private static partial void LogStored(ILogger logger, string fileName, int size, string source, int vdn, string accessKey);

    [LoggerMessage(LogLevel.Debug, "Admin deleted {Path} from every location for access key {AccessKey}")]
    private static partial void LogDeleted(ILogger logger, string path, string accessKey);

    [LoggerMessage(LogLevel.Error, "Admin delete of {Path} failed")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string path);
}
