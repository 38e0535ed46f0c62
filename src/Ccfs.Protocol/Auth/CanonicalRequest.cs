using System.Text;

namespace Ccfs.Protocol.Auth;

/// <summary>
/// The pieces of the auth-v2 canonical request (spec §2.6). Lines are joined with LF; the query line appears only
/// when there is at least one query parameter; the percent-encoded body follows the last header line.
/// </summary>
public static class CanonicalRequest
{
    /// <summary>
    /// The <c>signedHeaders</c> field a signer writes: the header names sorted ordinally as given, then lower-cased
    /// and joined with <c>;</c> (Java's TreeSet followed by <c>toLowerCase</c>).
    /// </summary>
    public static string SignedHeaderList(IEnumerable<string> headerNames)
    {
        var names = headerNames.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return string.Join(';', names.Select(n => n.ToLowerInvariant()));
    }

    /// <summary>The query line, or null when there are no parameters (then the line is left out).</summary>
    public static string? Query(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        var items = new string[parameters.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var (key, value) = parameters[i];
            items[i] = PercentEncoding.Encode(key) + "=" + (value.Length == 0 ? "" : PercentEncoding.Encode(value));
        }

        Array.Sort(items, StringComparer.Ordinal);
        return string.Join('&', items);
    }

    /// <summary>The canonical header lines, sorted ordinally and joined with LF, without a trailing LF.</summary>
    public static string Headers(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var lines = headers
            .Select(h => PercentEncoding.Encode(h.Key.ToLowerInvariant()) + ":" + PercentEncoding.Encode(h.Value))
            .ToArray();
        Array.Sort(lines, StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    /// <summary>Everything of the canonical request that precedes the body, ending with LF.</summary>
    public static string Head(string method, string path, string? query, string signedHeaderList, string canonicalHeaders)
    {
        var builder = new StringBuilder(method.Length + path.Length + signedHeaderList.Length + canonicalHeaders.Length + 64);
        builder.Append(method).Append('\n').Append(path).Append('\n');
        if (query is not null)
        {
            builder.Append(query).Append('\n');
        }

        return builder.Append(signedHeaderList).Append('\n').Append(canonicalHeaders).Append('\n').ToString();
    }

    /// <summary>The whole canonical request as text. For debugging and tests; signing never builds it.</summary>
    public static string Build(string head, ReadOnlySpan<byte> body)
    {
        var encoded = new byte[body.Length * 3];
        PercentEncoding.Encode(body, encoded, out _, out var written);
        return head + Encoding.ASCII.GetString(encoded, 0, written);
    }
}
