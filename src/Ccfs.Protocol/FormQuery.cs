using System.Net;

namespace Ccfs.Protocol;

/// <summary>
/// Parses a raw query string with form decoding (<c>+</c> is a space, <c>%XX</c> a UTF-8 byte), the way a Java
/// client's <c>URLEncoder</c> output must be read back before it is re-encoded for the signature (spec §2.6, §2.9).
/// </summary>
public static class FormQuery
{
    /// <summary>Parameters in order of appearance; for a repeated key the first value is kept.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string? rawQuery) => Parse(rawQuery, out _);

    /// <summary>As <see cref="Parse(string?)"/>; <paramref name="repeated"/> is the first key given more than once, if any.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string? rawQuery, out string? repeated)
    {
        repeated = null;
        if (string.IsNullOrEmpty(rawQuery) || rawQuery == "?")
        {
            return [];
        }

        var query = rawQuery[0] == '?' ? rawQuery.AsSpan(1) : rawQuery.AsSpan();
        var result = new List<KeyValuePair<string, string>>();
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var eq = pair.IndexOf('=');
            var key = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..]);
            if (!result.Exists(p => string.Equals(p.Key, key, StringComparison.Ordinal)))
            {
                result.Add(new(key, value));
            }
            else
            {
                repeated ??= key;
            }
        }

        return result;
    }

    /// <summary>The first value of <paramref name="key"/>, or null.</summary>
    public static string? Get(IReadOnlyList<KeyValuePair<string, string>> query, string key)
    {
        foreach (var (k, v) in query)
        {
            if (string.Equals(k, key, StringComparison.Ordinal))
            {
                return v;
            }
        }

        return null;
    }

    private static string Decode(ReadOnlySpan<char> text) => WebUtility.UrlDecode(text.ToString());
}
