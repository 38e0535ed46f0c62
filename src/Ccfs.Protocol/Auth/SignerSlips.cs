using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Ccfs.Protocol.Auth;

/// <summary>
/// The mistakes auth-v2 signers make most, tried on a signature that does not match so that the answer can name the one
/// made instead of leaving the integrator to diff canonical requests. Each is signed with the account's SK: only a
/// holder of the SK can send a signature that matches one, so a match tells nothing to anyone else. A slip never
/// makes a request valid. The work is bounded by <see cref="MaxBodyBytes"/>: every slip hashes the body again.
/// </summary>
public static class SignerSlips
{
    /// <summary>
    /// The most bytes hashed over all the slips tried for one request (each try hashes the canonical head and, for most,
    /// the body again, as checking the signature once does); the first try is made whatever it costs.
    /// </summary>
    public const long MaxBodyBytes = 4L * 1024 * 1024;

    private static readonly SearchValues<byte> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"u8);

    private static readonly SearchValues<byte> KeptByUrlEncoder =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*"u8);

    private static readonly SearchValues<byte> KeptByQuote =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/"u8);

    private static readonly SearchValues<byte> KeptByUriComponent =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!'()*"u8);

    /// <summary>For each slipped encoding, the bytes it writes otherwise than auth-v2; a text without any is signed alike.</summary>
    private static readonly SearchValues<byte> SpelledOtherwiseByUrlEncoder = SearchValues.Create(" *~"u8);

    private static readonly SearchValues<byte> SpelledOtherwiseByUriComponent = SearchValues.Create("!'()*"u8);

    /// <summary>
    /// Java's URLEncoder and Python's urllib.parse.quote_plus differ only on '*' (kept, %2A) and '~' (%7E, kept): on a
    /// request with neither, both write exactly the bytes of <see cref="SlipEncoding.UrlEncoder"/>, and the
    /// answer names both rather than guess.
    /// </summary>
    public static SignerSlip SpaceAsPlusEither { get; } =
        new("percent-encodes as Java's URLEncoder or Python's urllib.parse.quote_plus does (+ for a space)",
            "encode a space as %20: after URLEncoder.encode replace + with %20, * with %2A and %7E with ~; in Python call "
            + "quote(value, safe='') instead of quote_plus")
        { Values = SlipEncoding.UrlEncoder, Body = SlipEncoding.UrlEncoder };

    private static readonly SearchValues<byte> WhereUrlEncoderAndQuotePlusDiffer = SearchValues.Create("*~"u8);

    /// <summary>The slips, most frequent first, so a large body that leaves room for a few tries the likeliest.</summary>
    public static IReadOnlyList<SignerSlip> All { get; } =
    [
        new("signed the Content-Type without its parameters (the HTTP library added '; charset=...' after signing)",
            "sign the Content-Type exactly as sent, or set it yourself before signing") { SignedValue = WithoutParameters },
        new("signed the Content-Type without the space the HTTP library puts after ';' (.NET's HttpClient does)",
            "sign the Content-Type exactly as sent, space included") { SignedValue = WithoutSpaceAfterSemicolon },
        new("signed the host without its port", "sign the Host header exactly as sent, port included (host:port)")
            { SignedValue = WithoutPort },
        new("percent-encodes as Java's URLEncoder does (+ for a space, * kept, %7E for ~)",
            "encode a space as %20 and * as %2A, keep ~, or replace them after URLEncoder.encode")
            { Values = SlipEncoding.UrlEncoder, Body = SlipEncoding.UrlEncoder },
        new("percent-encodes with Python's urllib.parse.quote, which keeps '/' unless given safe=''",
            "call quote(value, safe='') (or quote(value, safe='~')), so '/' is written %2F")
            { Values = SlipEncoding.SlashKept, Body = SlipEncoding.SlashKept },
        new("percent-encodes with Python's urllib.parse.quote_plus, which writes a space as '+'",
            "use quote(value, safe='') instead, which writes a space as %20")
            { Values = SlipEncoding.SpaceAsPlus, Body = SlipEncoding.SpaceAsPlus },
        new("percent-encodes with JavaScript's encodeURIComponent, which keeps ! ' ( ) *",
            "after encodeURIComponent, replace ! ' ( ) * with %21 %27 %28 %29 %2A")
            { Values = SlipEncoding.UriComponent, Body = SlipEncoding.UriComponent },
        new("signed the host with a port the HTTP library left out (:443 is the default for https, so it is not sent)",
            "sign the Host header exactly as sent: without :443 when the library leaves the default port out")
            { SignedValue = WithDefaultPort },
        new("keys the second HMAC with the signing key's 32 raw bytes",
            "write the signing key as 64 lower-case hex characters and use those characters' bytes as the key")
            { Key = SlipKey.RawBytes },
        new("ends the canonical request with a line break", "end it with the last byte of the percent-encoded body")
            { FinalLineBreak = true },
        new("writes %xx in lower case", "write the hex digits of %XX in upper case (%2F, not %2f)")
            { Values = SlipEncoding.LowerHex, Body = SlipEncoding.LowerHex },
        new("does not percent-encode header values (nor the query)", "percent-encode each signed header's value and the query as the body is")
            { Values = SlipEncoding.None },
        new("writes the signing key in upper-case hex", "write it in lower case") { Key = SlipKey.UpperHex },
        new("signs the canonical request with the SK itself",
            "first make the signing key, HMAC-SHA256(SK, 'auth-v2/AK/timestamp/signedHeaders') in lower-case hex, and sign with it")
            { Key = SlipKey.SecretKey },
        new("does not sort the canonical header lines", "sort the header lines by name") { UnsortedHeaders = true },
        new("does not percent-encode the body", "percent-encode every body byte outside A-Z a-z 0-9 - . _ ~")
            { Body = SlipEncoding.None },
        new("joins the lines with CRLF", "join them with LF alone") { LineBreak = "\r\n" },
        new("leaves the body out of the canonical request", "append the percent-encoded body after the last header line")
            { BodyLeftOut = true },
        new("runs the body on from the last header line", "put one LF between the last header line and the body")
            { NoBreakBeforeBody = true },
        new("writes an empty query line for a request without a query", "leave the query line out when there is no query")
            { EmptyQueryLine = true },
    ];

    /// <summary>What trying the slips found.</summary>
    /// <param name="Match">The slip whose signature matches, or null.</param>
    /// <param name="Tried">How many slips were tried (those that could not change this request are not counted).</param>
    /// <param name="Left">How many were not tried because the body was too large for all of them.</param>
    public readonly record struct Trial(SignerSlip? Match, int Tried, int Left);

    /// <param name="received">The signature received, as 64 lower-case hex ASCII bytes.</param>
    public static Trial Try(IReadOnlyList<string> secretKeys, AuthorizationHeader header, ReceivedRequest request,
        IReadOnlyList<KeyValuePair<string, string>> signed, ReadOnlySpan<byte> body, ReadOnlySpan<byte> received)
    {
        var tried = 0;
        var left = 0;
        long spent = 0;
        foreach (var slip in All)
        {
            if (Head(slip, header, request, signed, SpelledOtherwise(body, slip.Body)) is not { } head)
            {
                continue;
            }

            var cost = (head.Length + (slip.BodyLeftOut ? 0L : body.Length)) * secretKeys.Count;
            if (tried > 0 && spent + cost > MaxBodyBytes)
            {
                left++;
                continue;
            }

            tried++;
            spent += cost;
            foreach (var secretKey in secretKeys)
            {
                if (Matches(slip, secretKey, header.AuthStringPrefix, head, body, received))
                {
                    return new(Named(slip, request, signed, body), tried, 0);
                }
            }
        }

        return new(null, tried, left);
    }

    /// <summary>The slip as the answer names it: both encoders when this request cannot tell Java's from Python's.</summary>
    private static SignerSlip Named(SignerSlip slip, ReceivedRequest request, IReadOnlyList<KeyValuePair<string, string>> signed,
        ReadOnlySpan<byte> body)
    {
        if (slip.Values != SlipEncoding.UrlEncoder || body.IndexOfAny(WhereUrlEncoderAndQuotePlusDiffer) >= 0)
        {
            return slip;
        }

        static bool Differs(string text) => text.AsSpan().IndexOfAny('*', '~') >= 0;
        return signed.Any(h => Differs(h.Key) || Differs(h.Value)) || request.Query.Any(p => Differs(p.Key) || Differs(p.Value))
            ? slip
            : SpaceAsPlusEither;
    }

    /// <summary>
    /// The canonical request up to the body as the slipped signer writes it; null when the slip changes nothing here (an
    /// encoding slip on a request with none of the bytes it spells otherwise is not worth a try).
    /// </summary>
    private static string? Head(SignerSlip slip, AuthorizationHeader header, ReceivedRequest request, IReadOnlyList<KeyValuePair<string, string>> signed,
        bool bodySpelledOtherwise)
    {
        var changed = bodySpelledOtherwise || slip.Key != SlipKey.LowerHex
            || slip.LineBreak != "\n" || slip.FinalLineBreak || slip.BodyLeftOut || slip.NoBreakBeforeBody;
        var lines = new List<string>(signed.Count);
        foreach (var (name, value) in signed)
        {
            var signedValue = value;
            if (slip.SignedValue?.Invoke(name, value) is { } other && other != value)
            {
                signedValue = other;
                changed = true;
            }

            var line = Encode(name.ToLowerInvariant(), slip.Values) + ":" + Encode(signedValue, slip.Values);
            changed |= slip.Values != SlipEncoding.Standard
                && line != PercentEncoding.Encode(name.ToLowerInvariant()) + ":" + PercentEncoding.Encode(signedValue);
            lines.Add(line);
        }

        if (!slip.UnsortedHeaders)
        {
            lines.Sort(StringComparer.Ordinal);
        }
        else if (!lines.SequenceEqual(lines.Order(StringComparer.Ordinal)))
        {
            changed = true;
        }

        string? query = null;
        if (request.Query.Count > 0)
        {
            string Query(SlipEncoding encoding) => string.Join('&', request.Query
                .Select(p => Encode(p.Key, encoding) + "=" + Encode(p.Value, encoding))
                .Order(StringComparer.Ordinal));
            query = Query(slip.Values);
            changed |= slip.Values != SlipEncoding.Standard && query != Query(SlipEncoding.Standard);
        }
        else if (slip.EmptyQueryLine)
        {
            query = "";
            changed = true;
        }

        if (!changed)
        {
            return null;
        }

        var n = slip.LineBreak;
        var builder = new StringBuilder().Append(request.Method).Append(n).Append(request.RawPath).Append(n);
        if (query is not null)
        {
            builder.Append(query).Append(n);
        }

        builder.Append(header.SignedHeaders).Append(n).AppendJoin(n, lines);
        return (slip.NoBreakBeforeBody ? builder : builder.Append(n)).ToString();
    }

    private static bool Matches(SignerSlip slip, string secretKey, string prefix, string head, ReadOnlySpan<byte> body,
        ReadOnlySpan<byte> received)
    {
        var derived = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(prefix));
        var key = slip.Key switch
        {
            SlipKey.RawBytes => derived,
            SlipKey.UpperHex => Encoding.ASCII.GetBytes(Convert.ToHexString(derived)),
            SlipKey.SecretKey => Encoding.UTF8.GetBytes(secretKey),
            _ => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(derived)),
        };
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(head));
        if (!slip.BodyLeftOut)
        {
            AppendEncoded(hmac, body, slip.Body);
        }

        if (slip.FinalLineBreak)
        {
            hmac.AppendData("\n"u8);
        }

        Span<byte> mac = stackalloc byte[32];
        hmac.GetHashAndReset(mac);
        Span<byte> hex = stackalloc byte[64];
        Hex.WriteLower(mac, hex);
        return CryptographicOperations.FixedTimeEquals(hex, received);
    }

    private static string Encode(string text, SlipEncoding encoding)
    {
        if (encoding == SlipEncoding.Standard)
        {
            return PercentEncoding.Encode(text);
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var encoded = new byte[bytes.Length * 3];
        var written = EncodeSlipped(bytes, encoded, encoding, out _);
        return Encoding.ASCII.GetString(encoded, 0, written);
    }

    private static void AppendEncoded(IncrementalHash hmac, ReadOnlySpan<byte> body, SlipEncoding encoding)
    {
        Span<byte> chunk = stackalloc byte[8192];
        while (!body.IsEmpty)
        {
            int consumed, written;
            if (encoding == SlipEncoding.Standard)
            {
                PercentEncoding.Encode(body, chunk, out consumed, out written);
            }
            else
            {
                written = EncodeSlipped(body, chunk, encoding, out consumed);
            }

            hmac.AppendData(chunk[..written]);
            body = body[consumed..];
        }
    }

    /// <summary>Whether <paramref name="encoding"/> writes any byte of <paramref name="text"/> otherwise than auth-v2 does.</summary>
    private static bool SpelledOtherwise(ReadOnlySpan<byte> text, SlipEncoding encoding) => encoding switch
    {
        SlipEncoding.Standard => false,
        SlipEncoding.UrlEncoder => text.IndexOfAny(SpelledOtherwiseByUrlEncoder) >= 0,
        SlipEncoding.SlashKept => text.Contains((byte)'/'),
        SlipEncoding.SpaceAsPlus => text.Contains((byte)' '),
        SlipEncoding.UriComponent => text.IndexOfAny(SpelledOtherwiseByUriComponent) >= 0,
        _ => text.IndexOfAnyExcept(Unreserved) >= 0,
    };

    /// <summary>Encodes as much of <paramref name="source"/> as fits; returns the bytes written. Runs of kept bytes are copied whole.</summary>
    private static int EncodeSlipped(ReadOnlySpan<byte> source, Span<byte> destination, SlipEncoding encoding, out int consumed)
    {
        var digits = encoding == SlipEncoding.LowerHex ? "0123456789abcdef"u8 : "0123456789ABCDEF"u8;
        var kept = encoding switch
        {
            SlipEncoding.UrlEncoder => KeptByUrlEncoder,
            SlipEncoding.SlashKept => KeptByQuote,
            SlipEncoding.UriComponent => KeptByUriComponent,
            _ => Unreserved,
        };
        var written = 0;
        consumed = 0;
        while (consumed < source.Length && written <= destination.Length - 3)
        {
            var rest = source[consumed..];
            // Only what fits is looked at, so a long run is not scanned again for each chunk.
            rest = rest[..Math.Min(rest.Length, destination.Length - written)];
            var run = encoding == SlipEncoding.None ? rest.Length : rest.IndexOfAnyExcept(kept) is var next and >= 0 ? next : rest.Length;
            rest[..run].CopyTo(destination[written..]);
            written += run;
            consumed += run;
            if (consumed == source.Length || written > destination.Length - 3)
            {
                break;
            }

            var b = source[consumed++];
            if (b == (byte)' ' && encoding is SlipEncoding.UrlEncoder or SlipEncoding.SpaceAsPlus)
            {
                destination[written++] = (byte)'+';
            }
            else
            {
                destination[written++] = (byte)'%';
                destination[written++] = digits[b >> 4];
                destination[written++] = digits[b & 0xF];
            }
        }

        return written;
    }

    private static string? WithoutParameters(string name, string value) =>
        string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase) && value.IndexOf(';') is var semicolon and > 0
            ? value[..semicolon].TrimEnd()
            : null;

    private static string? WithoutSpaceAfterSemicolon(string name, string value) =>
        string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase) && value.Contains("; ", StringComparison.Ordinal)
            ? value.Replace("; ", ";", StringComparison.Ordinal)
            : null;

    /// <summary>A host sent without a port (the default left out), as signed with :443; '[::1]' has none, '[::1]:8443' has one.</summary>
    private static string? WithDefaultPort(string name, string value) =>
        string.Equals(name, "host", StringComparison.OrdinalIgnoreCase) && value.Length > 0 && value.LastIndexOf(':') <= value.LastIndexOf(']')
            ? value + ":443"
            : null;

    private static string? WithoutPort(string name, string value)
    {
        if (!string.Equals(name, "host", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var colon = value.LastIndexOf(':');
        return colon > 0 && colon > value.LastIndexOf(']') && value.AsSpan(colon + 1).IndexOfAnyExceptInRange('0', '9') < 0 ? value[..colon] : null;
    }
}
