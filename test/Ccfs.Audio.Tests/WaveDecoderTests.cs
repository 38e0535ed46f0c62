namespace Ccfs.Audio.Tests;

public sealed class WaveDecoderTests
{
    public static TheoryData<ushort, int, double> Encodings() => new()
    {
        { WaveFormat.Pcm, 1, 1.0 / 128 },
        { WaveFormat.Pcm, 2, 1.0 / 32768 },
        { WaveFormat.Pcm, 3, 1.0 / 8388608 },
        { WaveFormat.Pcm, 4, 1e-6 },
        { WaveFormat.IeeeFloat, 4, 1e-7 },
        { WaveFormat.IeeeFloat, 8, 1e-7 },
        { WaveFormat.ALaw, 1, 1.0 / 32 },
        { WaveFormat.MuLaw, 1, 1.0 / 32 },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Each_encoding_decodes_to_the_samples_it_holds(ushort tag, int bytes, double tolerance)
    {
        var samples = WaveFiles.Sine(22050, 440, 0.1);

        var decoded = Decode(WaveFiles.Write(samples, 22050, tag, bytes), out var decoder);

        Assert.Equal(22050, decoder.SampleRate);
        Assert.Equal(samples.Length, decoder.FrameCount);
        Assert.Equal(samples.Length, decoded.Length);
        Assert.All(samples.Zip(decoded), p => Assert.InRange(p.Second - p.First, -tolerance, tolerance));
    }

    public static TheoryData<ushort, int> Layouts()
    {
        var layouts = new TheoryData<ushort, int>();
        foreach (var row in Encodings())
        {
            layouts.Add((ushort)row[0], (int)row[1]);
        }

        return layouts;
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void The_extensible_spelling_of_each_encoding_decodes_the_same(ushort tag, int bytes)
    {
        var samples = WaveFiles.Sine(8000, 1000, 0.05);

        var plain = Decode(WaveFiles.Write(samples, 8000, tag, bytes), out _);
        var extensible = Decode(WaveFiles.Write(samples, 8000, tag, bytes, extensible: true), out _);

        Assert.Equal(plain, extensible);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    public void Channels_are_averaged(int channels)
    {
        var samples = WaveFiles.Sine(16000, 300, 0.05, amplitude: 0.25);

        var decoded = Decode(WaveFiles.Write(samples, 16000, WaveFormat.Pcm, 2, channels), out var decoder);

        Assert.Equal(channels, decoder.Format.Channels);
        Assert.All(samples.Zip(decoded), p => Assert.InRange(p.Second - p.First, -1.0 / 32768, 1.0 / 32768));
    }

    [Fact]
    public void A_streaming_header_reads_to_the_end_of_the_stream()
    {
        var samples = WaveFiles.Sine(44100, 440, 0.1);

        var decoded = Decode(WaveFiles.Write(samples, 44100, WaveFormat.Pcm, 2, streamingSizes: true), out var decoder);

        Assert.Null(decoder.FrameCount);
        Assert.Equal(samples.Length, decoded.Length);
    }

    [Theory]
    [InlineData("invalid", "gsm610-8k.wav", "GSM 6.10")]
    [InlineData("invalid", "alaw-8k-rf64.wav", "RF64")]
    [InlineData("invalid", "mp3-8k.mp3", "not a RIFF/WAVE file")]
    [InlineData("invalid", "empty.wav", "too short")]
    [InlineData("invalid", "no-data-chunk.wav", "no data chunk")]
    [InlineData("invalid", "data-before-fmt.wav", "before the fmt chunk")]
    [InlineData("invalid", "fmt-size-huge.wav", "claims")]
    [InlineData("invalid", "many-tiny-chunks.wav", "more than 256 chunks")]
    public void What_cannot_be_converted_is_refused_with_a_reason(string folder, string file, string reason)
    {
        using var input = new MemoryStream(File.ReadAllBytes(TestData.Audio(folder, file)));

        Assert.False(WaveDecoder.TryOpen(input, out var decoder, out var why));
        Assert.Null(decoder);
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    private static float[] Decode(byte[] wav, out WaveDecoder decoder)
    {
        using var input = new MemoryStream(wav);
        Assert.True(WaveDecoder.TryOpen(input, out var opened, out var reason), reason);
        decoder = opened!;
        var all = new List<float>();
        var block = new float[1000];
        int read;
        while ((read = decoder.Read(block)) > 0)
        {
            all.AddRange(block.AsSpan(0, read));
        }

        return [.. all];
    }
}
