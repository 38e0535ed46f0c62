using System.Text;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Wire;

namespace Ccfs.Server.Http;

/// <summary>Where a JSON value sits in the body. For strings, the raw (still escaped) text between the quotes.</summary>
public readonly record struct JsonValue(JsonTokenType Token, int Start, int Length, bool IsEscaped)
{
    public bool IsMissing => Token == JsonTokenType.None;

    public bool IsNull => Token is JsonTokenType.None or JsonTokenType.Null;

    /// <summary>
    /// The value as a string; only for short fields (names, paths), never for <c>data</c>. An escape that names half a
    /// surrogate pair (<c>\ud800</c>) cannot be text: if the value holds one, each escaped surrogate reads as U+FFFD,
    /// which no path, location or number holds, and the rest as sent, so a refusal can say which character it refuses.
    /// </summary>
    public string GetString(ReadOnlySpan<byte> json)
    {
        if (!IsEscaped)
        {
            return Encoding.UTF8.GetString(json.Slice(Start, Length));
        }

        try
        {
            return Unescape(json.Slice(Start - 1, Length + 2));
        }
        catch (InvalidOperationException)
        {
            var quoted = json.Slice(Start - 1, Length + 2).ToArray();
            ReplaceSurrogateEscapes(quoted);
            return Unescape(quoted);
        }
    }

    private static string Unescape(ReadOnlySpan<byte> quoted)
    {
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }

    /// <summary>Rewrites every <c>\uD800</c>–<c>\uDFFF</c> escape as <c>\uFFFD</c>, stepping over other escapes (<c>\\ud800</c> is no escape of one).</summary>
    private static void ReplaceSurrogateEscapes(Span<byte> quoted)
    {
        for (var i = 0; i < quoted.Length - 1; i++)
        {
            if (quoted[i] != '\\')
            {
                continue;
            }

            if (quoted[i + 1] == 'u' && i + 5 < quoted.Length && (quoted[i + 2] | 0x20) == 'd' && "89abcdefABCDEF"u8.Contains(quoted[i + 3]))
            {
                "FFFD"u8.CopyTo(quoted[(i + 2)..]);
            }

            i++;
        }
    }
}

/// <summary>
/// Reads the CC-FS envelope <c>{"request":{"version":"2.0"},"msgBody":{…}}</c> in one pass with
/// <see cref="Utf8JsonReader"/> and answers the first rule it breaks (spec §3): <c>0300007</c> for an empty,
/// unparseable or incomplete body, <c>0300001</c>/<c>0300002</c>/<c>0300006</c> for the version, and
/// <c>0300004</c> for a property given twice. Unknown properties are skipped. Work and allocation stay bounded
/// whatever the body holds: at most <see cref="MaxMembers"/> properties per object, names of at most
/// <see cref="MaxNameBytes"/>, and the version compared in place.
/// </summary>
public static class EnvelopeReader
{
    /// <summary>Properties allowed in each of the root, request and msgBody objects; more is not an envelope.</summary>
    public const int MaxMembers = 64;

    /// <summary>The longest property name (as sent, escapes included) an envelope may carry; CC-FS's are a few bytes.</summary>
    public const int MaxNameBytes = 256;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 32 };

    private static readonly byte[] CurrentVersionUtf8 = Encoding.UTF8.GetBytes(CcfsResult.CurrentVersion);

    /// <summary>What usually causes a parse error that integrators meet on their first day.</summary>
    private static string Hint(ReadOnlySpan<byte> json, JsonException e) =>
        json.StartsWith("\uFEFF"u8)
            ? " (the body starts with a UTF-8 byte order mark, EF BB BF: send the JSON without it)"
            : e.Message.Contains("'0x0D' is invalid within a JSON string", StringComparison.Ordinal)
              || e.Message.Contains("'0x0A' is invalid within a JSON string", StringComparison.Ordinal)
                ? " (a raw line break inside a string: was the Base64 made with line breaks, as Java's Base64.getMimeEncoder() and "
                  + "base64 without -w0 make it? Encode without them)"
                : "";

    /// <param name="json">The request body.</param>
    /// <param name="names">The msgBody members the interface wants.</param>
    /// <param name="values">Receives the value of each wanted member, in the order of <paramref name="names"/>.</param>
    /// <param name="reason">With a refusal, what exactly is wrong (for X-Ccfs-Reason: CC-FS's text is the same for many).</param>
    /// <returns>Null when the envelope is good, otherwise the answer to give.</returns>
    public static CcfsResult? Read(ReadOnlySpan<byte> json, ReadOnlySpan<string> names, Span<JsonValue> values, out string? reason)
    {
        values.Clear();
        reason = null;
        JsonValue request = default, msgBody = default;
        Span<JsonValue> version = stackalloc JsonValue[1];
        string? duplicate = null;
        var ended = false;
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            reason = "the body is empty";
            return CcfsResult.RequestBodyNull;
        }

        try
        {
            var reader = new Utf8JsonReader(json, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = $"the body is {Kind(reader.TokenType)}, not a JSON object";
                return CcfsResult.RequestBodyNull;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var members = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Every member counts, a repeated one too, so no body is turned into more than 64 short strings.
                if (reader.ValueSpan.Length > MaxNameBytes || ++members > MaxMembers)
                {
                    reason = TooMany;
                    return CcfsResult.RequestBodyNull;
                }

                var name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    duplicate ??= name;
                }

                reader.Read();
                switch (name)
                {
                    case WireNames.Request:
                        request = Capture(ref reader);
                        if (!ReadMembers(ref reader, [WireNames.Version], version, ref duplicate))
                        {
                            reason = TooMany;
                            return CcfsResult.RequestBodyNull;
                        }

                        break;
                    case WireNames.MsgBody:
                        msgBody = Capture(ref reader);
                        if (!ReadMembers(ref reader, names, values, ref duplicate))
                        {
                            reason = TooMany;
                            return CcfsResult.RequestBodyNull;
                        }

                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            // Anything after the root object is an error; Read throws on it.
            ended = true;
            if (reader.Read())
            {
                reason = "the body goes on after its JSON object";
                return CcfsResult.RequestBodyNull;
            }
        }
        catch (InvalidOperationException)
        {
            // A property name escaping half a surrogate pair, which no text can hold.
            reason = "a property name escapes half a surrogate pair (\\ud800), which no text holds";
            return CcfsResult.RequestBodyNull;
        }
        catch (JsonException e)
        {
            // System.Text.Json's message names the position, never the content.
            reason = ended ? "the body goes on after its JSON object" : $"the body is not valid JSON: {e.Message}{Hint(json, e)}";
            return CcfsResult.RequestBodyNull;
        }

        if (duplicate is not null)
        {
            reason = $"the property '{duplicate}' is given twice";
            return CcfsResult.Format(duplicate);
        }

        if (request.Token != JsonTokenType.StartObject || msgBody.Token != JsonTokenType.StartObject)
        {
            var (field, value) = request.Token != JsonTokenType.StartObject ? (WireNames.Request, request) : (WireNames.MsgBody, msgBody);
            reason = value.IsMissing ? $"the body has no {field} object"
                : value.Token == JsonTokenType.String ? $"{field} is a string, not an object: was the JSON encoded twice?"
                : $"{field} is {Kind(value.Token)}, not an object";
            return CcfsResult.RequestBodyNull;
        }

        var v = version[0];
        if (v.IsNull)
        {
            reason = "request.version is missing or null; it must be the string \"2.0\"";
            return CcfsResult.Null(WireNames.Version);
        }

        if (v.Token != JsonTokenType.String)
        {
            reason = $"request.version is {Kind(v.Token)}; it must be the string \"2.0\"";
            return CcfsResult.Version;
        }

        if (v.Length == 0)
        {
            reason = "request.version is empty; it must be the string \"2.0\"";
            return CcfsResult.Empty(WireNames.Version);
        }

        if (IsCurrentVersion(json, v))
        {
            return null;
        }

        reason = "request.version is not \"2.0\", the only version CC-FS knows";
        return CcfsResult.Version;
    }

    private const string TooMany = "an object of the body has more than 64 properties, or a property name longer than 256 bytes";

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "not a JSON value",
    };

    /// <summary>Compares the version in place: a long value is simply not "2.0", and is never copied into a string.</summary>
    private static bool IsCurrentVersion(ReadOnlySpan<byte> json, JsonValue version)
    {
        const int MaxEscapedLength = 6 * 3;
        if (!version.IsEscaped)
        {
            return json.Slice(version.Start, version.Length).SequenceEqual(CurrentVersionUtf8);
        }

        return version.Length <= MaxEscapedLength && version.GetString(json) == CcfsResult.CurrentVersion;
    }

    /// <summary>
    /// Reads the members of the object the reader is on (if it is one), capturing the wanted ones.
    /// False when the object has too many members or a name that is too long.
    /// </summary>
    private static bool ReadMembers(ref Utf8JsonReader reader, scoped ReadOnlySpan<string> names, scoped Span<JsonValue> values,
        ref string? duplicate)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return true;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var members = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueSpan.Length > MaxNameBytes || ++members > MaxMembers)
            {
                return false;
            }

            var name = reader.GetString()!;
            if (!seen.Add(name))
            {
                duplicate ??= name;
            }

            reader.Read();
            var index = names.IndexOf(name);
            if (index >= 0 && values[index].IsMissing)
            {
                values[index] = Capture(ref reader);
            }

            reader.Skip();
        }

        return true;
    }

    private static JsonValue Capture(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        return reader.TokenType switch
        {
            JsonTokenType.String => new(JsonTokenType.String, start + 1, reader.ValueSpan.Length, reader.ValueIsEscaped),
            JsonTokenType.Number => new(JsonTokenType.Number, start, reader.ValueSpan.Length, false),
            _ => new(reader.TokenType, start, 0, false),
        };
    }
}
