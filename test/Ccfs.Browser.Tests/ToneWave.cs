using System.Buffers.Binary;

namespace Ccfs.Browser.Tests;

/// <summary>
/// A 16-bit PCM mono WAV of a sine tone at any rate, fading in and out: what an operator drags onto the page from a
/// desktop, with a waveform that has a shape.
/// </summary>
public static class ToneWave
{
    public static byte[] Pcm16(int sampleRate, double seconds, double hz = 440, double amplitude = 0.6)
    {
        var samples = (int)Math.Round(sampleRate * seconds);
        var file = new byte[44 + (samples * 2)];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(4), file.Length - 8);
        "WAVEfmt "u8.CopyTo(file.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(24), sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(28), sampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(32), 2);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(34), 16);
        "data"u8.CopyTo(file.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(40), samples * 2);
        for (var i = 0; i < samples; i++)
        {
            var envelope = Math.Min(1.0, Math.Min(i, samples - i) / (0.3 * sampleRate));
            var value = amplitude * envelope * Math.Sin(2 * Math.PI * hz * i / sampleRate);
            BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(44 + (i * 2)), (short)Math.Round(value * short.MaxValue));
        }

        return file;
    }
}
