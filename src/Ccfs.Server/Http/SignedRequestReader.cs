using System.Net.Http.Headers;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;
using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;
using Ccfs.Server.Faults;
using Ccfs.Server.Observability;
using Microsoft.AspNetCore.Http.Features;

namespace Ccfs.Server.Http;

/// <summary>A request that passed the IP lock, the body limit and the signature check.</summary>
public sealed class SignedRequest(Account account, AuthorizationHeader header, PooledBody body, IReadOnlyList<KeyValuePair<string, string>> query,
    WorkSlot? slot) : IDisposable
{
    public Account Account { get; } = account;

    /// <summary>The Authorization header as parsed once, when the request was screened.</summary>
    public AuthorizationHeader Header { get; } = header;

    public PooledBody Body { get; } = body;

    /// <summary>The form-decoded query the signature was checked against.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; } = query;

    /// <summary>Returns the body's buffer and the slot, if the policy took one.</summary>
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
/// The steps every endpoint takes before its own work, in this order, each before anything costlier
/// (<see cref="AdmissionPolicy"/> says which apply): refuse a locked IP (403); answer a body declared over its limit
/// without reading it; screen the Authorization header, parsed once here, and refuse one that can never be valid (401);
/// take the policy's slot (<c>0300503</c> when none comes free in time), counted towards the sender's unverified share;
/// read the body within its limit and at the minimum rate, per request; verify the signature (401), which ends the
/// unverified share; require JSON (415); refuse a replayed signature; apply a fault rule (docs/rehearsal.md) to a CC-FS request. A body given up half-way (too slow, or the client
/// went away) counts towards the IP lock, as a failed signature does: whoever never finishes a body never proves a key.
/// </summary>
public sealed partial class SignedRequestReader(IpLockout lockout, IRequestAuthenticator authenticator,
    BodyBufferPool buffers, UploadSlots uploadSlots, DeleteSlots deleteSlots, ReplayGuard replays, FaultInjector faults, CcfsSettings settings,
    CcfsMetrics metrics, ILogger<SignedRequestReader> logger)
{
    private readonly MinimumRate _rate = new(settings.Limits.MinRequestBodyRate, settings.Limits.MinRequestBodyRateGracePeriod);

    /// <summary>A request of an interface whose body names a path (<paramref name="pathField"/>).</summary>
    public Task<Admission> ReadPathRequestAsync(HttpContext http, AdmissionPolicy policy, string pathField) =>
        ReadAsync(http, policy, FormQuery.Parse(http.Request.QueryString.Value), AdmissionPolicy.PathRequestBodyLimit,
            CcfsResults.Answer(CcfsResult.TooLong(pathField), $"the request body is over the {AdmissionPolicy.PathRequestBodyLimit}-byte limit"),
            pathField);

    /// <param name="http">The request.</param>
    /// <param name="policy">What the endpoint asks of it.</param>
    /// <param name="query">The form-decoded query (<see cref="FormQuery.Parse(string?)"/>), which the signature covers.</param>
    /// <param name="bodyLimit">The largest body this endpoint accepts.</param>
    /// <param name="tooLarge">The answer to a body over the limit.</param>
    /// <param name="pathField">The body field that names the request's path, which fault rules may match; null when none does.</param>
    public async Task<Admission> ReadAsync(HttpContext http, AdmissionPolicy policy, IReadOnlyList<KeyValuePair<string, string>> query,
        long bodyLimit, IResult tooLarge, string? pathField = null)
    {
        var ip = ClientAddress.Of(http);
        if (lockout.LockOf(ip) is var (until, left))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(left.TotalSeconds));
            return Refuse(CcfsResults.RetryAfter(CcfsResults.Spring(StatusCodes.Status403Forbidden,
                $"this client address ({ip}) is locked after repeated authentication failures until {until:yyyy-MM-ddTHH:mm:ssZ}; "
                + "an administrator can lift it from another address (ccfs admin ip-locks lift ADDRESS)", "IpLocked"), seconds));
        }

        // A body declared over the limit is answered on its length first, as before any signature.
        if (http.Request.ContentLength > bodyLimit)
        {
            return Refuse(WithoutReadingTheBody(http, tooLarge, Math.Min(DrainFactor * bodyLimit, MaxDrainBytes)));
        }

        var (claim, screened) = authenticator.Screen(http);
        InterfaceCall.Of(http)?.AccessKey = claim.AccessKey;
        if (screened is { } hopeless)
        {
            return Refuse(WithoutReadingTheBody(http, Unauthorized(hopeless, ip), Math.Min(bodyLimit, MaxDrainBytes)));
        }

        if (policy.AdminOnly && !claim.Account!.IsAdmin)
        {
            return Refuse(WithoutReadingTheBody(http, CcfsResults.Spring(StatusCodes.Status401Unauthorized,
                $"access key {claim.AccessKey} is not an administrator", "NotAdmin"), Math.Min(bodyLimit, MaxDrainBytes)));
        }

        WorkSlot? slot = null;
        if (policy.Slot != SlotKind.None)
        {
            var slots = policy.Slot == SlotKind.Upload ? (WorkSlots)uploadSlots : deleteSlots;
            var (taken, busy) = await slots.TakeAsync(ip, claim.AccessKey!, http.RequestAborted);
            if (taken is null)
            {
                return Refuse(WithoutReadingTheBody(http, policy.Unavailable(busy!)));
            }

            slot = taken;
        }

        var admission = await ReadAndVerifyAsync(http, policy, claim, query, bodyLimit, tooLarge, slot);
        if (admission.Request is { } admitted && (policy.RejectReplays ?? settings.Auth.RejectReplays))
        {
            IResult? replayed;
            try
            {
                replayed = await RefuseReplayAsync(http, admitted.Header, policy.Unavailable);
            }
            catch
            {
                admitted.Dispose();
                throw;
            }

            if (replayed is not null)
            {
                admitted.Body.Dispose();
                admission = Refuse(replayed);
            }
        }

        if (admission.Request is { } request && policy.InjectsFaults
            && faults.Apply(http, request, pathField) is { } injected)
        {
            request.Body.Dispose();
            admission = Refuse(injected);
        }

        if (admission.Request is null)
        {
            slot?.Dispose();
        }

        return admission;
    }

    private async Task<Admission> ReadAndVerifyAsync(HttpContext http, AdmissionPolicy policy, ClaimedAccount claim,
        IReadOnlyList<KeyValuePair<string, string>> query, long bodyLimit, IResult tooLarge, WorkSlot? slot)
    {
        var (status, body) = await RequestBody.ReadAsync(http.Request, buffers.Pool, bodyLimit, _rate, http.RequestAborted);
        InterfaceCall.Of(http)?.RequestBytes = body?.Length;
        switch (status)
        {
            case BodyReadStatus.TooLarge:
                return Refuse(CcfsResults.AndClose(tooLarge));
            case BodyReadStatus.TooSlow:
                metrics.SlowBodies.Inc();
                LogTooSlow(logger, ClientAddress.Of(http), _rate.BytesPerSecond);
                lockout.RecordFailure(ClientAddress.Of(http));
                return Refuse(CcfsResults.AndClose(CcfsResults.Answer(CcfsResult.RequestBodyNull,
                    $"the request body arrived slower than {_rate.BytesPerSecond} bytes/s")));
            case BodyReadStatus.Aborted:
                lockout.RecordFailure(ClientAddress.Of(http));
                return Refuse(CcfsResults.AndClose(CcfsResults.Answer(CcfsResult.RequestBodyNull, "the request body could not be read")));
        }

        if (policy.BinaryBody)
        {
            http.Features.Set(BinaryBodyAllowed.Instance);
        }

        var authentication = authenticator.Authenticate(http, claim, query, body!.Span);
        InterfaceCall.Of(http)?.AccessKey = authentication.Account?.AccessKey ?? authentication.ClaimedAccessKey;
        if (!authentication.Succeeded)
        {
            body.Dispose();
            return Refuse(Unauthorized(authentication, ClientAddress.Of(http)));
        }

        slot?.Verified();
        if (policy.RequireJson && !IsJson(http.Request.ContentType))
        {
            body.Dispose();
            return Refuse(CcfsResults.Spring(StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{http.Request.ContentType}' is not application/json"));
        }

        return new Admission(new SignedRequest(authentication.Account!, claim.Header!, body, query, slot), null);
    }

    /// <summary>The refusal of a signature accepted before (401, not counted towards the IP lock: it was a valid one), or null.</summary>
    private async Task<IResult?> RefuseReplayAsync(HttpContext http, AuthorizationHeader header, Func<string, IResult> unavailable)
    {
        try
        {
            if (!await replays.IsReplayAsync(header, http.RequestAborted))
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

    /// <summary>The 401, with the server's side of a signature that does not match when diagnostics are on.</summary>
    private IResult Unauthorized(Authentication failure, string ip)
    {
        var detail = failure.Detail;
        if (failure.Failure == AuthV2Failure.SignatureMismatch && lockout.FailuresLeft(ip) is { } left)
        {
            // Counted towards the address's lock (RequestAuthenticator.Rejected): say how close it is, before it happens. It
            // goes right after the first clause, ahead of any diagnosis, which the header's length may cut.
            var note = $" ({(left == 0 ? "this address is now locked" : $"{left} more such failure{(left == 1 ? "" : "s")} from this address")}: "
                + $"{lockout.Rule})";
            var clause = detail.IndexOf("; ", StringComparison.Ordinal);
            detail = clause < 0 ? detail + note : detail.Insert(clause, note);
        }

        var refusal = CcfsResults.Spring(StatusCodes.Status401Unauthorized, detail, failure.Failure.ToString());
        return failure.Explanation is { } explanation
            ? CcfsResults.WithHeader(refusal, SignatureExplanation.HeaderName, SignatureExplanation.ToHeaderValue(explanation))
            : refusal;
    }

    /// <summary>How far past its limit a declared body is still read and dropped after the answer to it.</summary>
    private const int DrainFactor = 4;

    /// <summary>
    /// The most of a declared body ever read and dropped after the answer to it, with no credential checked: enough for
    /// an unconverted prompt of a minute or so, little for a client that only wants the server to read.
    /// </summary>
    private const long MaxDrainBytes = 16L * 1024 * 1024;

    /// <summary>
    /// An answer given before the body is read closes the connection once it is sent. A body declared no longer than
    /// <paramref name="drainUpTo"/> is read and dropped first (Kestrel's drain, at most five seconds): a client that sends
    /// its whole body before it reads the answer (Java's HttpClient on HTTP/1.1 does) would otherwise meet a reset while it
    /// sends, and never read the answer waiting for it. A longer body is not read at all: a body limit of zero makes
    /// Kestrel's drain stop at the first byte and close the connection, so a fast client cannot make it read more.
    /// </summary>
    public static IResult WithoutReadingTheBody(HttpContext http, IResult refusal, long drainUpTo = 0)
    {
        if (http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true)
        {
            return refusal;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = http.Request.ContentLength <= drainUpTo ? http.Request.ContentLength : 0;
        }

        return CcfsResults.AndClose(refusal);
    }

    [LoggerMessage(LogLevel.Warning, "Refused a replayed signature of {AccessKey} from {ClientIp}")]
    private static partial void LogReplayed(ILogger logger, string accessKey, string clientIp);

    [LoggerMessage(LogLevel.Information, "Dropped a request from {ClientIp}: its body arrived slower than {Rate} bytes/s "
        + "(Ccfs:Limits:MinRequestBodyRate); counted towards the IP lock")]
    private static partial void LogTooSlow(ILogger logger, string clientIp, int rate);
}
