using System.Buffers.Binary;

namespace Ccfs.Audio;

/// <summary>Writes prompts the way sox does: RIFF, an 18-byte <c>fmt </c> chunk, <c>fact</c>, then <c>data</c>.</summary>
public static class WaveWriter
{
    /// <summary>RIFF header, fmt chunk (8 + 18), fact chunk (8 + 4) and data chunk header.</summary>
    public const int ALawHeaderLength = 12 + 26 + 12 + 8;

    /// <summary>The length of the file <see cref="ALaw"/> writes for this many samples (odd data gets a pad byte).</summary>
    public static int ALawLength(int samples) => ALawHeaderLength + samples + (samples & 1);

    /// <summary>A G.711 A-law, 8000 Hz, mono WAV holding <paramref name="samples"/>.</summary>
    public static byte[] ALaw(ReadOnlySpan<byte> samples)
    {
        var file = new byte[ALawLength(samples.Length)];
        WriteALawHeader(file, samples.Length);
        samples.CopyTo(file.AsSpan(ALawHeaderLength));
        return file;
    }

    /// <summary>Writes the WAV to a stream: the header, the samples, and the pad byte odd data needs.</summary>
    public static void WriteALaw(Stream output, ReadOnlySpan<byte> samples)
    {
        Span<byte> header = stackalloc byte[ALawHeaderLength];
        WriteALawHeader(header, samples.Length);
        output.Write(header);
        output.Write(samples);
        if ((samples.Length & 1) == 1)
        {
            output.WriteByte(0);
        }
    }

    private static void WriteALawHeader(Span<byte> span, int samples)
    {
        var fileLength = ALawLength(samples);
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(fileLength - 8));
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 18);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], WaveFormat.ALaw);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], WaveValidator.RequiredSampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], WaveValidator.RequiredSampleRate);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(span[36..], 0);
        "fact"u8.CopyTo(span[38..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[42..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(span[46..], (uint)samples);
        "data"u8.CopyTo(span[50..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[54..], (uint)samples);
    }
}
