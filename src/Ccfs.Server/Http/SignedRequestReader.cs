using System.Net.Http.Headers;
using Ccfs.Protocol;
using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;
using Microsoft.AspNetCore.Http.Features;

namespace Ccfs.Server.Http;

/// <summary>A request that passed the IP lock, the body limit and the signature check.</summary>
public sealed class SignedRequest(Account account, PooledBody body, IReadOnlyList<KeyValuePair<string, string>> query,
    WorkSlot? slot = null) : IDisposable
{
    public Account Account { get; } = account;

    public PooledBody Body { get; } = body;

    /// <summary>The form-decoded query the signature was checked against.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; } = query;

    /// <summary>Returns the body's buffer and, for an upload, its slot.</summary>
    public void Dispose()
    {
        Body.Dispose();
        slot?.Dispose();
    }
}

/// <summary>
/// Set on a request whose body may be bytes rather than UTF-8 text (an admin upload of a WAV), so the signature check
/// does not refuse it for that; the bytes are still signed one by one.
/// </summary>
public sealed class BinaryBodyAllowed
{
    public static BinaryBodyAllowed Instance { get; } = new();
}

/// <summary>Either a <see cref="SignedRequest"/> or the answer that refuses it.</summary>
public readonly record struct Admission(SignedRequest? Request, IResult? Refusal);

/// <summary>
/// The steps every CC-FS interface takes before its own work, each before anything costlier: refuse a locked IP (403),
/// answer a body declared over its limit (<c>0300003</c>, without reading it), refuse a header that can never be valid
/// (401, see <see cref="IRequestAuthenticator.Screen"/>), take an upload slot when the interface needs one (<c>0300503</c>
/// when none comes free in time), read the body within its limit and at Kestrel's minimum rate, verify the signature
/// (401) and require a JSON body (415).
/// </summary>
public sealed partial class SignedRequestReader(IpLockout lockout, LockedRequestLog lockedLog, IRequestAuthenticator authenticator,
    BodyBufferPool buffers, UploadSlots uploadSlots, ReplayGuard replays, CcfsSettings settings, CcfsMetrics metrics,
    ILogger<SignedRequestReader> logger)
{
    /// <summary>deleteFile, getFileHash and downloadFile carry a path in a small envelope; bodies past this are refused.</summary>
    public const long PathRequestBodyLimit = 64 * 1024;

    /// <summary>A request of an interface whose body names a path (<paramref name="pathField"/>).</summary>
    public Task<Admission> ReadPathRequestAsync(HttpContext http, string pathField) =>
        ReadAsync(http, FormQuery.Parse(http.Request.QueryString.Value), PathRequestBodyLimit, pathField);

    /// <param name="http">The request.</param>
    /// <param name="query">The form-decoded query (<see cref="FormQuery.Parse"/>), which the signature covers.</param>
    /// <param name="bodyLimit">The largest body this interface accepts.</param>
    /// <param name="tooLargeParam">The parameter named by <c>0300003</c> when the body is over the limit.</param>
    /// <param name="requireJson">Refuse a body that is not application/json (415); the CC-FS interfaces take only JSON.</param>
    /// <param name="binaryBody">Accept a body that is not UTF-8 (<see cref="BinaryBodyAllowed"/>).</param>
    /// <param name="tooLarge">The answer to a body over the limit, instead of CC-FS's <c>0300003</c>.</param>
    /// <param name="takesUploadSlot">Hold one of the <see cref="UploadSlots"/> from before the body is read until the request is disposed.</param>
    /// <param name="unavailable">The answer when no upload slot is given (or the replay check cannot be made), from its reason,
    /// instead of CC-FS's <c>0300503</c>.</param>
    /// <param name="rejectReplays">Refuse a signature accepted before (<see cref="ReplayGuard"/>); by default as
    /// <c>Ccfs:Auth:RejectReplays</c> says.</param>
    public async Task<Admission> ReadAsync(HttpContext http, IReadOnlyList<KeyValuePair<string, string>> query, long bodyLimit,
        string tooLargeParam, bool requireJson = true, bool binaryBody = false, IResult? tooLarge = null, bool takesUploadSlot = false,
        Func<string, IResult>? unavailable = null, bool? rejectReplays = null)
    {
        var ip = ClientAddress.Of(http);
        if (lockout.IsLocked(ip))
        {
            lockedLog.Refused(ip);
            return Refuse(CcfsResults.Spring(StatusCodes.Status403Forbidden,
                "this client address is locked after repeated authentication failures", "IpLocked"));
        }

        tooLarge ??= CcfsResults.Answer(CcfsResult.TooLong(tooLargeParam), $"the request body is over the {bodyLimit}-byte limit");

        // A body declared over the limit is answered on its length first (0300003), as before any signature.
        if (http.Request.ContentLength > bodyLimit)
        {
            return Refuse(CcfsResults.AndClose(tooLarge));
        }

        if (authenticator.Screen(http) is { } screened)
        {
            InterfaceCall.Of(http)?.AccessKey = screened.ClaimedAccessKey;
            return Refuse(WithoutReadingTheBody(http, Unauthorized(screened)));
        }

        WorkSlot? slot = null;
        if (takesUploadSlot)
        {
            var (taken, busy) = await uploadSlots.TakeAsync(ip, http.RequestAborted);
            if (taken is null)
            {
                return Refuse(WithoutReadingTheBody(http, (unavailable ?? CcfsResults.Unavailable)(busy!)));
            }

            slot = taken;
        }

        var admission = await ReadAndVerifyAsync(http, query, bodyLimit, requireJson, binaryBody, tooLarge, slot);
        if (admission.Request is not null && (rejectReplays ?? settings.Auth.RejectReplays))
        {
            IResult? replayed;
            try
            {
                replayed = await RefuseReplayAsync(http, unavailable ?? CcfsResults.Unavailable);
            }
            catch
            {
                admission.Request.Dispose();
                throw;
            }

            if (replayed is not null)
            {
                admission.Request.Body.Dispose();
                admission = Refuse(replayed);
            }
        }

        if (admission.Request is null)
        {
            slot?.Dispose();
        }

        return admission;
    }

    private async Task<Admission> ReadAndVerifyAsync(HttpContext http, IReadOnlyList<KeyValuePair<string, string>> query, long bodyLimit,
        bool requireJson, bool binaryBody, IResult tooLarge, WorkSlot? slot)
    {
        var (status, body) = await RequestBody.ReadAsync(http.Request, buffers.Pool, bodyLimit, http.RequestAborted);
        switch (status)
        {
            case BodyReadStatus.TooLarge:
                return Refuse(CcfsResults.AndClose(tooLarge));
            case BodyReadStatus.TooSlow:
                metrics.SlowBodies.Inc();
                var rate = settings.Limits.MinRequestBodyRate;
                LogTooSlow(logger, ClientAddress.Of(http), rate);
                return Refuse(CcfsResults.AndClose(CcfsResults.Answer(CcfsResult.RequestBodyNull,
                    $"the request body arrived slower than {rate} bytes/s")));
            case BodyReadStatus.Aborted:
                return Refuse(CcfsResults.AndClose(CcfsResults.Answer(CcfsResult.RequestBodyNull, "the request body could not be read")));
        }

        if (binaryBody)
        {
            http.Features.Set(BinaryBodyAllowed.Instance);
        }

        var authentication = authenticator.Authenticate(http, query, body!.Span);
        InterfaceCall.Of(http)?.AccessKey = authentication.Account?.AccessKey ?? authentication.ClaimedAccessKey;
        if (!authentication.Succeeded)
        {
            body.Dispose();
            return Refuse(Unauthorized(authentication));
        }

        if (requireJson && !IsJson(http.Request.ContentType))
        {
            body.Dispose();
            return Refuse(CcfsResults.Spring(StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{http.Request.ContentType}' is not application/json"));
        }

        return new Admission(new SignedRequest(authentication.Account!, body, query, slot), null);
    }

    /// <summary>The refusal of a signature accepted before (401, not counted towards the IP lock: it was a valid one), or null.</summary>
    private async Task<IResult?> RefuseReplayAsync(HttpContext http, Func<string, IResult> unavailable)
    {
        try
        {
            if (!await replays.IsReplayAsync(http, http.RequestAborted))
            {
                return null;
            }
        }
        catch (Exception e) when (Storage.StorageFailure.Is(e))
        {
            return unavailable($"the catalog cannot be written now, so the signature could not be checked for a replay "
                + $"({e.Message.TrimEnd('.')}); nothing was changed; try again later");
        }

        LogReplayed(logger, InterfaceCall.Of(http)?.AccessKey ?? "?", ClientAddress.Of(http));
        return CcfsResults.Spring(StatusCodes.Status401Unauthorized,
            "this signature was accepted before: sign every request anew (a new timestamp gives a new signature)", "Replayed");
    }

    /// <summary>Any application/json media type, whatever its parameters and case (spec §6 Q10).</summary>
    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    private static Admission Refuse(IResult refusal) => new(null, refusal);

    private static IResult Unauthorized(Authentication failure) =>
        CcfsResults.Spring(StatusCodes.Status401Unauthorized, failure.Detail, failure.Failure.ToString());

    /// <summary>An answer given before the body is read closes the connection, which spares draining a body nobody will use.</summary>
    public static IResult WithoutReadingTheBody(HttpContext http, IResult refusal) =>
        http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true ? CcfsResults.AndClose(refusal) : refusal;

    [LoggerMessage(LogLevel.Warning, "Refused a replayed signature of {AccessKey} from {ClientIp}")]
    private static partial void LogReplayed(ILogger logger, string accessKey, string clientIp);

    [LoggerMessage(LogLevel.Information, "Dropped a request from {ClientIp}: its body arrived slower than {Rate} bytes/s "
        + "(Ccfs:Limits:MinRequestBodyRate)")]
    private static partial void LogTooSlow(ILogger logger, string clientIp, int rate);
}
