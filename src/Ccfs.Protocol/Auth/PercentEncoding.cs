using System.Buffers;
using System.Text;

namespace Ccfs.Protocol.Auth;

/// <summary>
/// The <c>normalize</c> function of Huawei's signing demo (PathUtils): every UTF-8 byte outside the RFC 3986
/// unreserved set (<c>A-Z a-z 0-9 - . _ ~</c>) becomes <c>%XX</c> with upper-case hex.
/// </summary>
public static class PercentEncoding
{
    private static readonly SearchValues<byte> Unreserved =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"u8);

    private static ReadOnlySpan<byte> UpperHex => "0123456789ABCDEF"u8;

    /// <summary>Encodes a short string (a header value, a query key or value).</summary>
    public static string Encode(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        if (!utf8.AsSpan().ContainsAnyExcept(Unreserved))
        {
            return value;
        }

        var encoded = new byte[utf8.Length * 3];
        Encode(utf8, encoded, out _, out var written);
        return Encoding.ASCII.GetString(encoded, 0, written);
    }

    /// <summary>
    /// Encodes as much of <paramref name="source"/> as fits into <paramref name="destination"/>. Runs of unreserved
    /// bytes are found with a vectorised search and copied in one go, so a Base64 body costs little more than a copy.
    /// </summary>
    public static void Encode(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed, out int written)
    {
        var read = 0;
        var write = 0;
        while (read < source.Length)
        {
            var room = destination.Length - write;
            if (room == 0)
            {
                break;
            }

            // Bound the search by the room left, or a long unreserved run would be scanned again on every call.
            var window = source.Slice(read, Math.Min(source.Length - read, room));
            var run = window.IndexOfAnyExcept(Unreserved);
            if (run < 0)
            {
                run = window.Length;
            }

            if (run > 0)
            {
                window[..run].CopyTo(destination[write..]);
                read += run;
                write += run;
                continue;
            }

            if (room < 3)
            {
                break;
            }

            var b = source[read++];
            destination[write] = (byte)'%';
            destination[write + 1] = UpperHex[b >> 4];
            destination[write + 2] = UpperHex[b & 0xF];
            write += 3;
        }

        consumed = read;
        written = write;
    }
}
