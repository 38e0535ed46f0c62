using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    /// Encodes as much of <paramref name="source"/> as fits into <paramref name="destination"/>. Blocks of 32 bytes are
    /// classified with one vector test and copied whole when nothing in them needs escaping, so a Base64 body (one
    /// '+' or '/' in 32 bytes on average) costs little more than a copy.
    /// </summary>
    public static void Encode(ReadOnlySpan<byte> source, Span<byte> destination, out int consumed, out int written)
    {
        var read = 0;
        var write = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            EncodeBlocks(source, destination, ref read, ref write);
        }

        EncodeRuns(source, destination, ref read, ref write);
        consumed = read;
        written = write;
    }

    /// <summary>
    /// Whole 32-byte blocks. A clean block is one vector store. In a block with escapes, each clean segment is copied
    /// with a full-width store whose surplus the next write overwrites, so the loop branches per escape, not per
    /// byte. It runs while a block's loads stay inside the source and its stores inside the destination.
    /// </summary>
    private static void EncodeBlocks(ReadOnlySpan<byte> source, Span<byte> destination, ref int read, ref int write)
    {
        const int block = 32;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        while (source.Length - read >= 2 * block && destination.Length - write >= 4 * block)
        {
            var bytes = Vector256.LoadUnsafe(ref src, (nuint)read);
            var escape = ~UnreservedMask(bytes).ExtractMostSignificantBits();
            if (escape == 0)
            {
                bytes.StoreUnsafe(ref dst, (nuint)write);
                read += block;
                write += block;
                continue;
            }

            var copied = 0;
            do
            {
                var at = BitOperations.TrailingZeroCount(escape);
                escape &= escape - 1;
                Vector256.LoadUnsafe(ref src, (nuint)(read + copied)).StoreUnsafe(ref dst, (nuint)write);
                write += at - copied;
                var b = Unsafe.Add(ref src, read + at);
                Unsafe.Add(ref dst, write) = (byte)'%';
                Unsafe.Add(ref dst, write + 1) = UpperHex[b >> 4];
                Unsafe.Add(ref dst, write + 2) = UpperHex[b & 0xF];
                write += 3;
                copied = at + 1;
            }
            while (escape != 0);

            Vector256.LoadUnsafe(ref src, (nuint)(read + copied)).StoreUnsafe(ref dst, (nuint)write);
            write += block - copied;
            read += block;
        }
    }

    /// <summary>Set lanes for A-Z a-z 0-9 - . _ ~.</summary>
    private static Vector256<byte> UnreservedMask(Vector256<byte> bytes)
    {
        var folded = bytes | Vector256.Create((byte)0x20);
        var letter = Vector256.LessThan(folded - Vector256.Create((byte)'a'), Vector256.Create((byte)26));
        var digit = Vector256.LessThan(bytes - Vector256.Create((byte)'0'), Vector256.Create((byte)10));
        var mark = Vector256.Equals(bytes, Vector256.Create((byte)'-')) | Vector256.Equals(bytes, Vector256.Create((byte)'.'))
            | Vector256.Equals(bytes, Vector256.Create((byte)'_')) | Vector256.Equals(bytes, Vector256.Create((byte)'~'));
        return letter | digit | mark;
    }

    /// <summary>The general path: runs of unreserved bytes found with a vectorised search, for any buffer size.</summary>
    private static void EncodeRuns(ReadOnlySpan<byte> source, Span<byte> destination, ref int read, ref int write)
    {
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
    }
}
