using System.Buffers.Binary;
using Ccfs.Audio;

namespace Ccfs.Cli.Conformance;

/// <summary>The WAV files the checks send: valid prompts, and the same prompts made wrong in one way.</summary>
internal static class ConformanceAudio
{
    /// <summary>One second of a 440 Hz tone, unique per call so a server cannot confuse it with an earlier upload.</summary>
    public static byte[] Prompt()
    {
        var samples = new byte[8000];
        var phase = Random.Shared.NextDouble();
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = G711.ALawEncode(G711.ToInt16((float)(0.3 * Math.Sin((2 * Math.PI * 440 * i / 8000.0) + phase))));
        }

        return WaveWriter.ALaw(samples);
    }

    /// <summary>A valid A-law prompt of silence that is at least <paramref name="bytes"/> long.</summary>
    public static byte[] Silence(long bytes)
    {
        var samples = new byte[Math.Max(2, bytes - WaveWriter.ALawHeaderLength)];
        Array.Fill(samples, (byte)0xD5);
        return WaveWriter.ALaw(samples);
    }

    /// <summary>The same file claiming another sample rate (or with one sample changed), for refusals and tampering.</summary>
    public static byte[] Retimed(byte[] wav, uint rate, int flip = 0)
    {
        var copy = (byte[])wav.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(24), rate);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(28), rate);
        copy[^1] ^= (byte)flip;
        return copy;
    }
}
