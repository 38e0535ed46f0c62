using System.Buffers.Binary;
using Ccfs.Tests;

namespace Ccfs.Audio.Tests;

public sealed class Pcm16TranscoderTests
{
    [Theory]
    [InlineData("valid", "alaw-8k-sine.wav")]
    [InlineData("valid", "prompt-alaw-8k-odd-length.wav")]
    [InlineData("optional", "mulaw-8k-sine.wav")]
    public void A_G711_prompt_becomes_16_bit_PCM_at_the_same_rate_sample_for_sample(string folder, string name)
    {
        var prompt = File.ReadAllBytes(TestData.Audio(folder, name));

        var pcm = Pcm16Transcoder.Transcode(new MemoryStream(prompt));

        Assert.True(WaveDecoder.TryOpen(new MemoryStream(prompt), out var source, out _));
        var expected = new float[source!.FrameCount!.Value];
        Assert.Equal(expected.Length, source.Read(expected));
        Assert.True(WaveDecoder.TryOpen(new MemoryStream(pcm), out var decoded, out var reason), reason);
        Assert.Equal(WaveFormat.Pcm, decoded!.Format.FormatTag);
        Assert.Equal(16, decoded.Format.BitsPerSample);
        Assert.Equal(8000, decoded.SampleRate);
        Assert.Equal(expected.Length, decoded.FrameCount);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(G711.ToInt16(expected[i]), BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(Pcm16Transcoder.HeaderLength + (2 * i))));
        }
    }

    [Fact]
    public void What_it_cannot_read_is_refused_with_the_reason()
    {
        var error = Assert.Throws<UnsupportedAudioException>(() =>
            Pcm16Transcoder.Transcode(new MemoryStream(File.ReadAllBytes(TestData.Audio("invalid", "mp3-8k.mp3")))));

        Assert.Contains("RIFF", error.Message, StringComparison.Ordinal);
    }
}
