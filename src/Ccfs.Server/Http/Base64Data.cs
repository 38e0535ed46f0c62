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

        // Decoding in place overwrites the text, and a refusal should say what was wrong with it: the start, where most
        // mistakes show (a data: URL, a short value), is kept aside first.
        Span<byte> start256 = stackalloc byte[Math.Min(KeptAside, text.Length)];
        text[..start256.Length].CopyTo(start256);
        if (Base64.DecodeFromUtf8InPlace(text, out length) == OperationStatus.Done)
        {
            return true;
        }

        failure = Explain(start256, text, length);
        return false;
    }

    private const int KeptAside = 256;

    /// <summary>
    /// Why a value is not Base64. <paramref name="start"/> is its beginning as sent; decoding overwrote the text it
    /// decoded (about four characters for each three bytes written), so past that beginning only the rest is read.
    /// </summary>
    private static string Explain(ReadOnlySpan<byte> start, ReadOnlySpan<byte> text, int written)
    {
        var whole = start.Length == text.Length;
        var offset = whole ? 0 : Math.Max(start.Length, Math.Min(text.Length, (written + 2) / 3 * 4));
        if (start.StartsWith("data:"u8))
        {
            return "msgBody.data is a data: URL (data:...;base64,...): send only the Base64 after the comma";
        }

        if ((Culprit(start, 0) ?? (whole ? null : Culprit(text[offset..], offset))) is { } culprit)
        {
            return culprit;
        }

        var view = whole ? start : text[offset..];
        var padding = view.IndexOf((byte)'=');
        if (padding >= 0 && view[padding..].IndexOfAnyExcept("= \t\r\n"u8) >= 0)
        {
            return "msgBody.data is not valid Base64: '=' may only end it, as padding (were pieces encoded apart and joined?)";
        }

        if (!whole)
        {
            return "msgBody.data does not end in a whole group of four Base64 characters: is its '=' padding missing or wrong?";
        }

        return view.TrimEnd(" \t\r\n"u8).EndsWith("="u8)
            ? "msgBody.data does not end in a whole group of four Base64 characters: too much '=' padding?"
            : "msgBody.data does not end in a whole group of four Base64 characters: is its '=' padding missing?";
    }

    private static string? Culprit(ReadOnlySpan<byte> text, int offset)
    {
        var index = text.IndexOfAnyExcept(Alphabet);
        if (index < 0)
        {
            return null;
        }

        var at = offset + index;
        var c = (char)text[index];
        if (c is '-' or '_')
        {
            return $"msgBody.data has '{c}' at byte {at} of the string: that is URL-safe Base64 (Java's Base64.getUrlEncoder(), Python's "
                + "urlsafe_b64encode); use the standard alphabet, with '+' and '/'";
        }

        return c is >= ' ' and <= '~'
            ? $"msgBody.data has '{c}' at byte {at} of the string, which is not Base64 (A-Z a-z 0-9 + / and = at the end)"
            : $"msgBody.data has the byte 0x{(int)c:X2} at byte {at} of the string, which is not Base64 (A-Z a-z 0-9 + / and = at the end)";
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
