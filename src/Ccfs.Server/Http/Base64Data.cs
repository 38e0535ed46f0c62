using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Ccfs.Server.Http;

/// <summary>
/// Decodes <c>msgBody.data</c> where it lies in the request body. Base64 output is shorter than its input, so the
/// bytes are decoded in place: an upload holds one buffer, not a body plus a copy.
/// </summary>
public static class Base64Data
{
    /// <summary>
    /// Decodes the string value at <paramref name="value"/>; the file ends up at <c>body[start..(start + length)]</c>.
    /// Whitespace between the characters is skipped, as <see cref="Base64.DecodeFromUtf8InPlace"/> does.
    /// </summary>
    /// <param name="failure">When the value is not Base64: what is wrong with it, in the terms of the usual mistake.</param>
    public static bool TryDecodeInPlace(Span<byte> body, JsonValue value, ArrayPool<byte> scratchPool, out int start, out int length,
        out string? failure)
    {
        start = value.Start;
        length = 0;
        failure = null;
        var text = body.Slice(value.Start, value.Length);
        if (value.IsEscaped && !TryUnescapeInPlace(body, value, scratchPool, out text))
        {
            failure = "msgBody.data is not a valid JSON string";
            return false;
        }

        if (Base64.DecodeFromUtf8InPlace(text, out length) == OperationStatus.Done)
        {
            return true;
        }

        failure = Explain(text, length);
        return false;
    }

    /// <summary>
    /// Why a value is not Base64. Decoding in place overwrote the text it decoded, four characters for three bytes, so
    /// the culprit is looked for in what lies past that.
    /// </summary>
    private static string Explain(ReadOnlySpan<byte> text, int written)
    {
        var decoded = Math.Min(text.Length, written / 3 * 4);
        var rest = text[decoded..];
        var culprit = rest.IndexOfAnyExcept(Alphabet);
        if (culprit < 0)
        {
            var characters = text.Length - text.Count((byte)' ') - text.Count((byte)'\n') - text.Count((byte)'\r') - text.Count((byte)'\t');
            return characters % 4 == 0
                ? "msgBody.data is not valid Base64: '=' may only end it, as padding"
                : text.TrimEnd(" \t\r\n"u8).EndsWith("="u8)
                    ? $"msgBody.data has {characters} Base64 characters, not a multiple of 4: too much '=' padding?"
                    : $"msgBody.data has {characters} Base64 characters, not a multiple of 4: is its '=' padding missing?";
        }

        var at = decoded + culprit;
        var c = (char)rest[culprit];
        if (c == ':' && rest.IndexOf(";base64,"u8) is >= 0 and < 80)
        {
            return "msgBody.data is a data: URL (data:...;base64,...): send only the Base64 after the comma";
        }

        if (c is '-' or '_')
        {
            return $"msgBody.data has '{c}' at character {at}: that is URL-safe Base64 (Java's Base64.getUrlEncoder(), Python's "
                + "urlsafe_b64encode); use the standard alphabet, with '+' and '/'";
        }

        return c is >= ' ' and <= '~'
            ? $"msgBody.data has '{c}' at character {at}, which is not Base64 (A-Z a-z 0-9 + / and = at the end)"
            : $"msgBody.data has the byte 0x{(int)c:X2} at character {at}, which is not Base64 (A-Z a-z 0-9 + / and = at the end)";
    }

    private static readonly SearchValues<byte> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \t\r\n"u8);

    /// <summary>
    /// JSON may spell '/' as '\/' (and break lines with '\n'). Unescaping shrinks the text, so the result is copied
    /// back over the start of the escaped value; only clients that escape pay for the extra buffer.
    /// </summary>
    private static bool TryUnescapeInPlace(Span<byte> body, JsonValue value, ArrayPool<byte> scratchPool, out Span<byte> text)
    {
        var scratch = scratchPool.Rent(value.Length);
        try
        {
            var reader = new Utf8JsonReader(body.Slice(value.Start - 1, value.Length + 2));
            reader.Read();
            var written = reader.CopyString(scratch);
            text = body.Slice(value.Start, written);
            scratch.AsSpan(0, written).CopyTo(text);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            text = default;
            return false;
        }
        finally
        {
            scratchPool.Return(scratch);
        }
    }
}
