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
    /// <summary>Decodes the string value at <paramref name="value"/>; the file ends up at <c>body[start..(start + length)]</c>.</summary>
    public static bool TryDecodeInPlace(Span<byte> body, JsonValue value, ArrayPool<byte> scratchPool, out int start, out int length)
    {
        start = value.Start;
        length = 0;
        var text = body.Slice(value.Start, value.Length);
        if (value.IsEscaped && !TryUnescapeInPlace(body, value, scratchPool, out text))
        {
            return false;
        }

        var status = Base64.DecodeFromUtf8InPlace(text, out length);
        return status == OperationStatus.Done;
    }

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
