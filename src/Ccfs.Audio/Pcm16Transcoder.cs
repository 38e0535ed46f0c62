using System.Buffers.Binary;

namespace Ccfs.Audio;

/// <summary>
/// Turns any WAV <see cref="WaveDecoder"/> reads (a stored A-law prompt above all) into 16-bit PCM, mono, at the same
/// rate: the one WAV encoding every browser plays. Reads in blocks; the result is held whole, twice the A-law size.
/// </summary>
public static class Pcm16Transcoder
{
    public const int HeaderLength = 44;
    private const int BlockFrames = 16 * 1024;

    public static byte[] Transcode(Stream input)
    {
        if (!WaveDecoder.TryOpen(input, out var decoder, out var reason))
        {
            throw new UnsupportedAudioException(reason!);
        }

        var expected = decoder!.FrameCount is { } frames ? (int)Math.Min(HeaderLength + (frames * 2), 1 << 30) : 1 << 16;
        using var output = new MemoryStream(expected);
        output.Write(new byte[HeaderLength]);
        var mono = new float[BlockFrames];
        var pcm = new byte[BlockFrames * 2];
        int read;
        while ((read = decoder.Read(mono)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), G711.ToInt16(mono[i]));
            }

            output.Write(pcm, 0, read * 2);
        }

        var file = output.ToArray();
        WriteHeader(file, decoder.SampleRate, (file.Length - HeaderLength) / 2);
        return file;
    }

    /// <summary>The canonical 44-byte header: RIFF, a 16-byte PCM <c>fmt </c> chunk, then <c>data</c>.</summary>
    public static void WriteHeader(Span<byte> span, int sampleRate, int samples)
    {
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(HeaderLength - 8 + (samples * 2)));
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], WaveFormat.Pcm);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)sampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)(samples * 2));
    }
}
