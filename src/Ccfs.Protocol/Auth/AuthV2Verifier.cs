using System.Security.Cryptography;
using System.Text.Unicode;

namespace Ccfs.Protocol.Auth;

public sealed class AuthV2VerifierOptions
{
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Refuse signatures that do not cover <c>host</c> (spec §2.4).</summary>
    public bool RequireHostSigned { get; set; } = true;

    /// <summary>
    /// Compatibility variant (a) of spec §2.9: when the strict check fails on a request with a query, also accept a
    /// signature computed without the query line.
    /// </summary>
    public bool RetryWithoutQueryLine { get; set; } = true;

    /// <summary>
    /// Explain a signature that does not match (<see cref="AuthV2Verification.Explanation"/>): what the verifier
    /// computed, to compare with the client's (<see cref="SignatureExplanation"/>).
    /// </summary>
    public bool Diagnostics { get; set; } = true;
}

public enum AuthV2Failure
{
    None,
    MissingAuthorization,
    MalformedAuthorization,
    UnknownAccessKey,
    InvalidTimestamp,
    ClockSkew,
    HostNotSigned,
    SignedHeaderMissing,
    BodyNotUtf8,
    SignatureMismatch,
}

/// <summary>Which canonical form a valid signature matched; logged so field data can settle spec §6 Q4.</summary>
public enum AuthV2Variant
{
    Strict,
    WithoutQueryLine,
}

public readonly record struct AuthV2Verification(AuthV2Failure Failure, AuthV2Variant Variant, int SecretKeyIndex, string Detail)
{
    public bool Succeeded => Failure == AuthV2Failure.None;

    /// <summary>For a signature that does not match, with diagnostics on: the <see cref="SignatureExplanation"/> text.</summary>
    public string? Explanation { get; init; }

    /// <summary>For a signature that does not match, with diagnostics on: the signer's mistake it matches, if any.</summary>
    public SignerSlip? Slip { get; init; }

    public static AuthV2Verification Fail(AuthV2Failure failure, string detail) => new(failure, default, -1, detail);
}

/// <summary>Checks auth-v2 signatures as spec §2.9 recommends, with the same canonical code the signer uses.</summary>
public sealed class AuthV2Verifier(AuthV2VerifierOptions options, TimeProvider time)
{
    /// <summary>
    /// What can be decided before the body arrives: the timestamp is well-formed and inside the clock window, host is
    /// signed when required, every signed header is in the request, and the signature is 64 hexadecimal characters.
    /// A request failing here can never be valid, whoever sent it; it proves nothing about who holds a secret key.
    /// </summary>
    /// <param name="header">The parsed Authorization value.</param>
    /// <param name="getHeader">A header's value as received, or null when absent.</param>
    public AuthV2Verification Screen(AuthorizationHeader header, Func<string, string?> getHeader) =>
        Screen(header, getHeader, null);

    /// <param name="header">The parsed Authorization value.</param>
    /// <param name="secretKeys">Every SK valid for the header's AK; more than one while a key is being rotated.</param>
    /// <param name="request">Method, raw path, decoded query and header lookup.</param>
    /// <param name="body">The exact body bytes received.</param>
    public AuthV2Verification Verify(AuthorizationHeader header, IReadOnlyList<string> secretKeys, ReceivedRequest request,
        ReadOnlySpan<byte> body)
    {
        var signed = new KeyValuePair<string, string>[header.SignedHeaderNames.Count];
        var screened = Screen(header, request.GetHeader, signed);
        if (!screened.Succeeded)
        {
            return screened;
        }

        if (!request.BinaryBody && !Utf8.IsValid(body))
        {
            return AuthV2Verification.Fail(AuthV2Failure.BodyNotUtf8, "the body is not valid UTF-8");
        }

        // The screen proved the signature is 64 hexadecimal characters.
        Span<byte> received = stackalloc byte[64];
        Hex.TryToLowerAscii(header.Signature, received);
        var canonicalHeaders = CanonicalRequest.Headers(signed);
        var query = CanonicalRequest.Query(request.Query);
        var strictHead = CanonicalRequest.Head(request.Method, request.RawPath, query, header.SignedHeaders, canonicalHeaders);
        var withoutQueryHead = query is not null && options.RetryWithoutQueryLine
            ? CanonicalRequest.Head(request.Method, request.RawPath, null, header.SignedHeaders, canonicalHeaders)
            : null;

        for (var k = 0; k < secretKeys.Count; k++)
        {
            var signingKey = SigningKey.Derive(secretKeys[k], header.AuthStringPrefix);
            if (Matches(signingKey, strictHead, body, received))
            {
                return new(AuthV2Failure.None, AuthV2Variant.Strict, k, "");
            }

            if (withoutQueryHead is not null && Matches(signingKey, withoutQueryHead, body, received))
            {
                return new(AuthV2Failure.None, AuthV2Variant.WithoutQueryLine, k, "");
            }
        }

        if (!options.Diagnostics)
        {
            return AuthV2Verification.Fail(AuthV2Failure.SignatureMismatch, "the signature does not match");
        }

        List<CanonicalForm> forms = [new(query is null ? SignatureExplanation.NoQuery : SignatureExplanation.WithQueryLine, strictHead)];
        if (withoutQueryHead is not null)
        {
            forms.Add(new(SignatureExplanation.WithoutQueryLine, withoutQueryHead));
        }

        var trial = SignerSlips.Try(secretKeys, header, request, signed, body, received);
        var detail = trial.Match is { } slip
            ? $"the signature does not match, but it is the one a signer that {slip.Does} makes: {slip.Fix}"
            : $"the signature does not match; {SignatureExplanation.HeaderName} (Base64) shows what ccfs computed, to compare with your signer's";
        return AuthV2Verification.Fail(AuthV2Failure.SignatureMismatch, detail) with
        {
            Slip = trial.Match,
            Explanation = SignatureExplanation.Describe(forms, body, signed, header.Timestamp, (time.GetUtcNow(), "the server's clock"),
                options.MaxClockSkew, header.AuthStringPrefix, trial),
        };
    }

    /// <param name="signed">Filled with the signed headers' names and values, when not null.</param>
    private AuthV2Verification Screen(AuthorizationHeader header, Func<string, string?> getHeader, KeyValuePair<string, string>[]? signed)
    {
        if (!AuthV2Timestamp.TryParse(header.Timestamp, out var signedAt))
        {
            return AuthV2Verification.Fail(AuthV2Failure.InvalidTimestamp,
                $"timestamp '{header.Timestamp}' is not yyyy-MM-ddTHH:mm:ss[.fff]Z");
        }

        var skew = (time.GetUtcNow() - signedAt).Duration();
        if (skew > options.MaxClockSkew)
        {
            return AuthV2Verification.Fail(AuthV2Failure.ClockSkew,
                $"timestamp is {skew.TotalSeconds:F0} s away from server time, {options.MaxClockSkew.TotalSeconds:F0} s allowed"
                + WholeHoursHint(skew, options.MaxClockSkew));
        }

        if (options.RequireHostSigned && !header.SignedHeaderNames.Contains("host", StringComparer.OrdinalIgnoreCase))
        {
            return AuthV2Verification.Fail(AuthV2Failure.HostNotSigned, "host is not among the signed headers");
        }

        for (var i = 0; i < header.SignedHeaderNames.Count; i++)
        {
            var name = header.SignedHeaderNames[i];
            if (getHeader(name) is not { } value)
            {
                return AuthV2Verification.Fail(AuthV2Failure.SignedHeaderMissing, $"signed header '{name}' is not in the request");
            }

            signed?[i] = new(name, value);
        }

        Span<byte> hex = stackalloc byte[64];
        if (header.Signature.Length != 64 || !Hex.TryToLowerAscii(header.Signature, hex))
        {
            return AuthV2Verification.Fail(AuthV2Failure.MalformedAuthorization, "the signature is not 64 hexadecimal characters");
        }

        return new(AuthV2Failure.None, AuthV2Variant.Strict, -1, "");
    }

    private static bool Matches(string signingKey, string head, ReadOnlySpan<byte> body, ReadOnlySpan<byte> received)
    {
        using var hmac = new CanonicalRequestHmac(signingKey, head);
        hmac.AppendBody(body);
        Span<byte> expected = stackalloc byte[64];
        hmac.Complete(expected);
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }

    /// <summary>
    /// A skew of whole hours is rarely a clock: it is local time sent with <c>Z</c> (UTC+8 gives 28800 s) or a 12-hour
    /// <c>hh</c> where <c>HH</c> belongs (43200 s in the afternoon).
    /// </summary>
    private static string WholeHoursHint(TimeSpan skew, TimeSpan window)
    {
        var hours = Math.Round(skew.TotalHours);
        return hours is >= 1 and <= 14 && (skew - TimeSpan.FromHours(hours)).Duration() <= window
            ? $" (about {hours:F0} h: was local time sent as UTC with Z, or a 12-hour clock (hh) used where HH belongs?)"
            : "";
    }
}
