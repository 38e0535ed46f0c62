using System.Buffers.Binary;
using Ccfs.Tests;

namespace Ccfs.Server.Tests;

/// <summary>The sample audio of ../shared/audio, and A-law files made to measure.</summary>
public static class Samples
{
    public static IEnumerable<string> Names(string folder) =>
        Directory.GetFiles(SharedFiles.Audio(folder)).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    public static byte[] Read(string folder, string name) => File.ReadAllBytes(SharedFiles.Audio(folder, name));

    public static byte[] Sine => Read("valid", "alaw-8k-sine.wav");

    /// <summary>A valid A-law WAV of exactly <paramref name="totalBytes"/> bytes (fmt 18 + data, no fact).</summary>
    public static byte[] ALawOfSize(int totalBytes)
    {
        const int header = 46;
        var dataLength = totalBytes - header;
        var file = new byte[totalBytes];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(totalBytes - 8));
        "WAVEfmt "u8.CopyTo(file.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), 18);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(20), 6);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24), 8000);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(28), 8000);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(32), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(34), 8);
        "data"u8.CopyTo(file.AsSpan(38));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(42), (uint)dataLength);
        Random.Shared.NextBytes(file.AsSpan(header));
        return file;
    }
}
