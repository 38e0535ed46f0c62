using System.Buffers.Binary;

namespace Ccfs.Audio.Tests;

/// <summary>Builds WAV files of any encoding from float samples, for the decoder and converter tests.</summary>
internal static class WaveFiles
{
    public static float[] Sine(int rate, double hz, double seconds, double amplitude = 0.5) =>
        [.. Enumerable.Range(0, (int)(rate * seconds)).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate)))];

    /// <summary>A WAV with <paramref name="channels"/> copies of each sample (the last channel inverted when asked).</summary>
    public static byte[] Write(float[] samples, int rate, ushort tag, int bytesPerSample, int channels = 1, bool extensible = false,
        bool streamingSizes = false)
    {
        var dataLength = samples.Length * channels * bytesPerSample;
        var fmtLength = extensible ? 40 : 16;
        var file = new byte[12 + 8 + fmtLength + 8 + dataLength];
        var span = file.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], streamingSizes ? uint.MaxValue : (uint)(file.Length - 8));
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)fmtLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], extensible ? WaveFormat.Extensible : tag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(rate * channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], (ushort)(8 * bytesPerSample));
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[36..], 22);
            BinaryPrimitives.WriteUInt16LittleEndian(span[38..], (ushort)(8 * bytesPerSample));
            BinaryPrimitives.WriteUInt16LittleEndian(span[44..], tag);
            ReadOnlySpan<byte> tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            tail.CopyTo(span[46..]);
        }

        var data = 20 + fmtLength;
        "data"u8.CopyTo(span[data..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(data + 4)..], streamingSizes ? uint.MaxValue : (uint)dataLength);
        var at = data + 8;
        foreach (var sample in samples)
        {
            for (var c = 0; c < channels; c++, at += bytesPerSample)
            {
                Encode(sample, tag, bytesPerSample, span.Slice(at, bytesPerSample));
            }
        }

        return file;
    }

    private static void Encode(float sample, ushort tag, int bytes, Span<byte> target)
    {
        switch (tag, bytes)
        {
            case (WaveFormat.ALaw, _):
                target[0] = G711.ALawEncode(G711.ToInt16(sample));
                break;
            case (WaveFormat.MuLaw, _):
                target[0] = G711.MuLawEncode(G711.ToInt16(sample));
                break;
            case (WaveFormat.IeeeFloat, 4):
                BinaryPrimitives.WriteSingleLittleEndian(target, sample);
                break;
            case (WaveFormat.IeeeFloat, 8):
                BinaryPrimitives.WriteDoubleLittleEndian(target, sample);
                break;
            case (WaveFormat.Pcm, 1):
                target[0] = (byte)Math.Clamp(Math.Round((sample * 128) + 128), 0, 255);
                break;
            case (WaveFormat.Pcm, 2):
                BinaryPrimitives.WriteInt16LittleEndian(target, G711.ToInt16(sample));
                break;
            case (WaveFormat.Pcm, 3):
                var v24 = (int)Math.Clamp(Math.Round(sample * 8388608.0), -8388608, 8388607);
                target[0] = (byte)v24;
                target[1] = (byte)(v24 >> 8);
                target[2] = (byte)(v24 >> 16);
                break;
            case (WaveFormat.Pcm, 4):
                BinaryPrimitives.WriteInt32LittleEndian(target, (int)Math.Clamp(Math.Round(sample * 2147483648.0), int.MinValue, int.MaxValue));
                break;
            default:
                throw new ArgumentException($"no test encoder for tag {tag} with {bytes} bytes");
        }
    }

    /// <summary>Decodes a converted prompt's A-law data to floats.</summary>
    public static float[] DecodePrompt(byte[] wav)
    {
        var result = WaveValidator.Validate(wav);
        Assert.True(result.IsValid, result.Reason);
        return [.. wav.AsSpan((int)result.DataOffset, (int)result.DataLength).ToArray().Select(c => G711.ALawDecode(c) / 32768f)];
    }
}
