using Ccfs.Audio;
using Ccfs.Tests;

namespace Ccfs.Tests;

/// <summary>The sample audio of test/data/audio, and A-law files made to measure.</summary>
public static class Samples
{
    public static IEnumerable<string> Names(string folder) =>
        Directory.GetFiles(TestData.Audio(folder)).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    public static byte[] Read(string folder, string name) => File.ReadAllBytes(TestData.Audio(folder, name));

    public static byte[] Sine => Read("valid", "alaw-8k-sine.wav");

    /// <summary>A valid A-law WAV of random samples, <paramref name="totalBytes"/> long (one more if that leaves odd data).</summary>
    public static byte[] ALawOfSize(int totalBytes)
    {
        var samples = new byte[totalBytes - WaveWriter.ALawHeaderLength];
        Random.Shared.NextBytes(samples);
        return WaveWriter.ALaw(samples);
    }
}
