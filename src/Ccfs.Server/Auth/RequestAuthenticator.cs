using Ccfs.Protocol.Auth;
using Microsoft.AspNetCore.Http.Features;

namespace Ccfs.Server.Auth;

/// <summary>The outcome of checking a request's signature: the account, or why it was refused.</summary>
/// <param name="Explanation">For a signature that does not match: what the server computed (<see cref="SignatureExplanation"/>).</param>
public readonly record struct Authentication(Account? Account, AuthV2Failure Failure, string Detail, string? ClaimedAccessKey = null,
    string? Explanation = null)
{
    public bool Succeeded => Account is not null;
}

/// <summary>What the headers alone say about a request: the account its Authorization header claims, or its refusal.</summary>
/// <param name="Claim">The parsed header and the account it names; read once and carried to the signature check.</param>
/// <param name="Refusal">Why the request can never be admitted; null to read the body and authenticate it.</param>
public readonly record struct Screening(ClaimedAccount Claim, Authentication? Refusal);

/// <summary>Decides who sent a request. The seam exists so tests can stand up a deliberately broken server.</summary>
public interface IRequestAuthenticator
{
    /// <summary>Parses the Authorization header (once) and refuses what can be decided before the body is read.</summary>
    Screening Screen(HttpContext http);

    /// <summary>Checks the signature over the body, for the account <paramref name="claim"/> names.</summary>
    Authentication Authenticate(HttpContext http, ClaimedAccount claim, IReadOnlyList<KeyValuePair<string, string>> query, ReadOnlySpan<byte> body);
}

/// <summary>
/// Verifies the auth-v2 signature of a request over its raw method, raw path, form-decoded query, signed headers
/// as received and the exact body bytes. A signature that does not match a well-formed, in-window header of a known
/// account is a guess at a secret key, and an access key no account has (not one that is disabled) is a guess at a key:
/// both count towards the IP lock. A header that is malformed or out of the clock window proves nothing about anyone's secret, and counting it
/// would let whoever shares an address (a NAT, a proxy) lock out everyone behind it.
/// </summary>
public sealed partial class RequestAuthenticator(AccountDirectory accounts, AuthV2Verifier verifier, IpLockout lockout,
    ILogger<RequestAuthenticator> logger) : IRequestAuthenticator
{
    /// <summary>
    /// A header that can never be admitted (missing or malformed, an unknown or disabled access key, a timestamp outside
    /// the clock window, host not signed when required, a signed header absent, a signature that is not 64 hexadecimal
    /// characters) is refused before the body is read, so such a caller holds no body buffer and no slot.
    /// </summary>
    public Screening Screen(HttpContext http)
    {
        var claim = ClaimedAccount.Of(http.Request.Headers.Authorization, accounts);
        if (claim.Account is null)
        {
            return new(claim, Rejected(http, new(null, claim.Failure, claim.Detail, claim.AccessKey)));
        }

        var screened = verifier.Screen(claim.Header!, name => HeaderValue(http, name));
        return new(claim, screened.Succeeded ? null : Rejected(http, new(null, screened.Failure, screened.Detail, claim.AccessKey)));
    }

    public Authentication Authenticate(HttpContext http, ClaimedAccount claim, IReadOnlyList<KeyValuePair<string, string>> query,
        ReadOnlySpan<byte> body)
    {
        var result = Verify(http, claim, query, body);
        if (!result.Succeeded)
        {
            return Rejected(http, result);
        }

        LogAccepted(logger, result.Account!.AccessKey, ClientAddress.Of(http));
        return result;
    }

    private Authentication Rejected(HttpContext http, Authentication result)
    {
        var ip = ClientAddress.Of(http);
        if (result.Failure == AuthV2Failure.SignatureMismatch
            || (result.Failure == AuthV2Failure.UnknownAccessKey && !accounts.IsDisabled(result.ClaimedAccessKey ?? "")))
        {
            lockout.RecordFailure(ip);
        }

        LogRejected(logger, result.Failure, result.Detail, ip);
        return result;
    }

    private static string? HeaderValue(HttpContext http, string name) =>
        http.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    private Authentication Verify(HttpContext http, ClaimedAccount claim, IReadOnlyList<KeyValuePair<string, string>> query,
        ReadOnlySpan<byte> body)
    {
        // The directory may have changed while the body arrived (a key disabled, a secret rotated): the account is looked
        // up again by the key the header claimed, without parsing the header again.
        if (claim.Header is not { } header || accounts.Find(header.AccessKey) is not { } account)
        {
            return new(null, AuthV2Failure.UnknownAccessKey, $"access key '{claim.AccessKey}' is unknown or disabled", claim.AccessKey);
        }

        var request = new ReceivedRequest
        {
            Method = http.Request.Method,
            RawPath = RawPath(http),
            Query = query,
            GetHeader = name => HeaderValue(http, name),
            BinaryBody = http.Features.Get<Http.BinaryBodyAllowed>() is not null,
        };
        var verification = verifier.Verify(header, account.SecretKeys, request, body);
        if (!verification.Succeeded)
        {
            return new(null, verification.Failure, verification.Detail, header.AccessKey, verification.Explanation);
        }

        if (verification.Variant != AuthV2Variant.Strict)
        {
            LogVariant(logger, account.AccessKey, verification.Variant);
        }

        return new(account, AuthV2Failure.None, "");
    }

    /// <summary>The path exactly as the client sent it: signatures cover the raw target, never a decoded path.</summary>
    internal static string RawPath(HttpContext http)
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target))
        {
            return (http.Request.PathBase + http.Request.Path).ToUriComponent();
        }

        if (!target.StartsWith('/') && Uri.TryCreate(target, UriKind.Absolute, out var absolute))
        {
            target = absolute.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped);
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? target : target[..question];
    }

    [LoggerMessage(LogLevel.Debug, "auth-v2 accepted for {AccessKey} from {ClientIp}")]
    private static partial void LogAccepted(ILogger logger, string accessKey, string clientIp);

    [LoggerMessage(LogLevel.Debug, "auth-v2 rejected ({Failure}) from {ClientIp}: {Detail}")]
    private static partial void LogRejected(ILogger logger, AuthV2Failure failure, string detail, string clientIp);

    [LoggerMessage(LogLevel.Information, "auth-v2 signature of {AccessKey} matched the compatibility form {Variant}")]
    private static partial void LogVariant(ILogger logger, string accessKey, AuthV2Variant variant);
}

/// <summary>The client address used for the IP lock: the peer, or the trusted proxy's header once forwarded-headers ran.</summary>
public static class ClientAddress
{
    public static string Of(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
