using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ccfs.Protocol.Auth;

/// <summary>One canonical form of a request: its name (which form it is) and its head (<see cref="CanonicalRequest.Head"/>).</summary>
public sealed record CanonicalForm(string Name, string Head);

/// <summary>
/// Why a signature is what it is, line by line, the same text on both sides so the two can be compared with
/// <c>diff</c>: the server sends it for a signature that does not match (<c>X-Ccfs-Canonical-Request</c>, Base64 of
/// UTF-8 text), <c>ccfs sign --explain</c> prints it for a request built locally. It holds the canonical request of each
/// form (the body replaced by its length and two SHA-256 digests: of the bytes, and of the percent-encoded text the
/// signature covers), the signed headers with their values as sent, the timestamp as read and its distance from the
/// clock, and the auth string prefix signed with the SK. Nothing in it was not in the request: never a key, never the
/// expected signature (which would sign any request for whoever asked). It is bounded
/// (<see cref="MaxLength"/>), so the answer's headers still fit a proxy's buffer for them.
/// </summary>
public static class SignatureExplanation
{
    public const string HeaderName = "X-Ccfs-Canonical-Request";

    /// <summary>
    /// The text's largest size; as Base64 about 2.7 KiB, so with the other headers an answer stays within the 4 KiB
    /// nginx keeps for an upstream's headers by default (<c>proxy_buffer_size</c>).
    /// </summary>
    public const int MaxLength = 2048;

    /// <summary>Longer lines (a long path, a long header value) are cut here and say how much was left out.</summary>
    public const int MaxLineLength = 200;

    public const string WithQueryLine = "canonical request (with the query line)";
    public const string WithoutQueryLine = "canonical request (without the query line)";
    public const string NoQuery = "canonical request";

    /// <summary>The forms a request has: the one canonical request, or with a query both with and without its line.</summary>
    public static IReadOnlyList<CanonicalForm> Forms(string method, string path, string? queryLine, string signedHeaderList, string canonicalHeaders,
        bool withoutQueryLine = true) => queryLine is null
        ? [new(NoQuery, CanonicalRequest.Head(method, path, null, signedHeaderList, canonicalHeaders))]
        : withoutQueryLine
            ? [new(WithQueryLine, CanonicalRequest.Head(method, path, queryLine, signedHeaderList, canonicalHeaders)),
                new(WithoutQueryLine, CanonicalRequest.Head(method, path, null, signedHeaderList, canonicalHeaders))]
            : [new(WithQueryLine, CanonicalRequest.Head(method, path, queryLine, signedHeaderList, canonicalHeaders))];

    /// <param name="forms">The canonical forms tried, each up to the body.</param>
    /// <param name="body">The body bytes as sent or received.</param>
    /// <param name="signedHeaders">The signed headers, in the order the Authorization header lists them, with their values as sent.</param>
    /// <param name="timestamp">The timestamp as the Authorization header carries it.</param>
    /// <param name="clock">The clock it is measured against, and that clock's name ("the server's clock").</param>
    /// <param name="maxSkew">The window the server allows, when known.</param>
    /// <param name="authStringPrefix">The string the SK signs: <c>auth-v2/{AK}/{timestamp}/{signed headers}</c>.</param>
    public static string Describe(IReadOnlyList<CanonicalForm> forms, ReadOnlySpan<byte> body, IReadOnlyList<KeyValuePair<string, string>> signedHeaders,
        string timestamp, (DateTimeOffset Now, string Name) clock, TimeSpan? maxSkew, string authStringPrefix,
        SignerSlips.Trial? slips = null)
    {
        var bodyLine = BodyLine(body);
        var rest = new List<string>();
        if (slips is { Match: { } slip })
        {
            // First, so the length bound never cuts it.
            rest.Add("# the signature is the one made by a signer that");
            rest.Add("#   " + slip.Does);
            rest.Add("# fix: " + slip.Fix);
        }

        rest.Add("# signed headers, with their values as sent");
        rest.AddRange(signedHeaders.Select(h => $"{h.Key}: {h.Value}"));
        rest.Add("# timestamp");
        if (AuthV2Timestamp.TryParse(timestamp, out var signedAt))
        {
            rest.Add($"timestamp: {timestamp}, read as {signedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}");
            var skew = (clock.Now - signedAt).Duration();
            rest.Add($"clock skew: {skew.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s from {clock.Name}"
                + (maxSkew is { } max ? $" ({max.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s allowed)" : ""));
        }
        else
        {
            rest.Add($"timestamp: {timestamp}, which is not yyyy-MM-ddTHH:mm:ss[.fff]Z");
        }

        rest.Add("# auth string prefix: HMAC-SHA256 of it with the SK is the signing key, which signs the canonical request");
        rest.Add(authStringPrefix);
        rest.Add("# where your signer's lines differ from these is where it went wrong; if none differ, check how it hashes them:");
        rest.Add("# %XX in upper case, %20 for a space (not + as Java's URLEncoder writes), LF between lines and none after the last,");
        rest.Add("# the signing key used as its 64 lower-case hex characters; if all match, the SK differs");
        if (slips is { Match: null } trial)
        {
            rest.Add($"# {trial.Tried} usual signer mistakes were tried with this account's SK and none gives your signature"
                + (trial.Left > 0 ? $"; {trial.Left} more were not tried, as the body is large: sign a short one to have them tried" : ""));
        }

        // Each form whole while they fit; a second form is left out before anything else is cut.
        var text = "";
        for (var count = forms.Count; count >= 1; count--)
        {
            var lines = new List<string>();
            foreach (var form in forms.Take(count))
            {
                lines.Add("# " + form.Name);
                lines.AddRange(form.Head.TrimEnd('\n').Split('\n'));
                lines.Add(bodyLine);
            }

            text = string.Join('\n', lines.Concat(rest).Select(Cut));
            if (text.Length <= MaxLength)
            {
                return text;
            }
        }

        return text[..(MaxLength - 1)] + "…";
    }

    /// <summary>The body's line: what the canonical request holds in its place.</summary>
    public static string BodyLine(ReadOnlySpan<byte> body)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(body, digest);
        var bytes = Convert.ToHexStringLower(digest);
        using var encoded = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> chunk = stackalloc byte[4096];
        var rest = body;
        while (!rest.IsEmpty)
        {
            PercentEncoding.Encode(rest, chunk, out var consumed, out var written);
            encoded.AppendData(chunk[..written]);
            rest = rest[consumed..];
        }

        encoded.GetHashAndReset(digest);
        return $"(body: {body.Length.ToString(CultureInfo.InvariantCulture)} bytes, sha256 {bytes}; "
            + $"percent-encoded as signed, sha256 {Convert.ToHexStringLower(digest)})";
    }

    /// <summary>The text as the header carries it: Base64 of its UTF-8 bytes.</summary>
    public static string ToHeaderValue(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>The text of a header value; null when it is not Base64 of UTF-8 text.</summary>
    public static string? FromHeaderValue(string value)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(Convert.FromBase64String(value));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }

    private static string Cut(string line) => line.Length <= MaxLineLength
        ? line
        : line[..MaxLineLength] + $"…(+{(line.Length - MaxLineLength).ToString(CultureInfo.InvariantCulture)} characters)";
}
