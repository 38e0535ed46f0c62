using System.Buffers.Binary;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>Test signals at 8000 Hz in 16-bit units, and their data chunks in the encodings the analysis reads.</summary>
internal static class Signals
{
    public const int Rate = 8000;

    /// <summary>A sine whose RMS level is <paramref name="dbov"/> (its peak 3 dB higher).</summary>
    public static double[] Sine(double hz, double dbov, double seconds)
    {
        var amplitude = Math.Sqrt(2) * 32768 * Math.Pow(10, dbov / 20);
        return [.. Enumerable.Range(0, (int)(seconds * Rate)).Select(i => amplitude * Math.Sin(2 * Math.PI * hz * i / Rate))];
    }

    public static double[] Silence(double seconds) => new double[(int)(seconds * Rate)];

    public static double[] Concat(params double[][] parts) => [.. parts.SelectMany(p => p)];

    public static double[] Plus(double[] signal, double offset) => [.. signal.Select(x => x + offset)];

    public static short[] ToInt16(double[] signal) => [.. signal.Select(x => (short)Math.Clamp(Math.Round(x), short.MinValue, short.MaxValue))];

    /// <summary>A 16-bit little-endian PCM data chunk.</summary>
    public static byte[] Pcm16(double[] signal)
    {
        var data = new byte[signal.Length * 2];
        var samples = ToInt16(signal);
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * i), samples[i]);
        }

        return data;
    }

    /// <summary>An A-law data chunk.</summary>
    public static byte[] ALaw(double[] signal) => [.. ToInt16(signal).Select(G711.ALawEncode)];

    /// <summary>The RMS level of a signal, in dBov.</summary>
    public static double RmsDbov(IEnumerable<double> signal) => 10 * Math.Log10(signal.Average(x => x * x) / (32768.0 * 32768.0));
}
