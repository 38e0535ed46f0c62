using Ccfs.Tests;

namespace Ccfs.Audio.Tests;

/// <summary>Every file under <c>test/data/audio</c> reaches the verdict its README states.</summary>
public sealed class SampleVerdictTests
{
    public static TheoryData<string> Valid() => Files("valid");

    public static TheoryData<string> Optional() => Files("optional");

    public static TheoryData<string> Invalid() => Files("invalid");

    [Fact]
    public void The_sample_folders_hold_the_files_the_readme_lists()
    {
        Assert.Equal(5, Valid().Count);
        Assert.Equal(2, Optional().Count);
        Assert.Equal(25, Invalid().Count);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_samples_are_accepted_by_default(string file)
    {
        var bytes = File.ReadAllBytes(TestData.Audio("valid", file));

        var result = WaveValidator.Validate(bytes);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(WaveEncodings.ALaw, result.Encoding);
        Assert.True(result.DataLength > 0);
        Assert.True(result.DataOffset + result.DataLength <= bytes.Length);
    }

    [Theory]
    [InlineData("mulaw-8k-sine.wav", WaveEncodings.MuLaw)]
    [InlineData("pcm-u8-8k-sine.wav", WaveEncodings.Pcm8)]
    public void Optional_samples_are_refused_by_default_and_accepted_when_switched_on(string file, WaveEncodings encoding)
    {
        var bytes = File.ReadAllBytes(TestData.Audio("optional", file));

        var byDefault = WaveValidator.Validate(bytes);
        var otherSwitch = WaveValidator.Validate(bytes, WaveEncodings.ALaw | (WaveEncodings.MuLaw | WaveEncodings.Pcm8) & ~encoding);
        var switchedOn = WaveValidator.Validate(bytes, WaveEncodings.ALaw | encoding);

        Assert.False(byDefault.IsValid);
        Assert.Contains("not among the accepted encodings", byDefault.Reason, StringComparison.Ordinal);
        Assert.False(otherSwitch.IsValid);
        Assert.True(switchedOn.IsValid, switchedOn.Reason);
        Assert.Equal(encoding, switchedOn.Encoding);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_samples_are_refused_whatever_is_switched_on(string file)
    {
        var bytes = File.ReadAllBytes(TestData.Audio("invalid", file));

        var result = WaveValidator.Validate(bytes, WaveEncodings.ALaw | WaveEncodings.MuLaw | WaveEncodings.Pcm8);

        Assert.False(result.IsValid);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
        Assert.True(result.Reason!.All(char.IsAscii), "reasons travel in a response header");
    }

    [Theory]
    [InlineData("alaw-16k.wav", "sample rate 16000 Hz, 8000 Hz required")]
    [InlineData("alaw-8k-stereo.wav", "2 channels, mono required")]
    [InlineData("pcm16-8k.wav", "16-bit linear PCM is not supported")]
    [InlineData("pcm16-8k-extensible.wav", "16-bit linear PCM is not supported")]
    [InlineData("speech-pcm16-22050hz.wav", "16-bit linear PCM is not supported")]
    [InlineData("gsm610-8k.wav", "GSM 6.10 is not supported")]
    [InlineData("byte-rate-mismatch.wav", "byte rate")]
    [InlineData("block-align-mismatch.wav", "block align")]
    [InlineData("alaw-8k-streaming-header.wav", "the RIFF size 4294967295 claims")]
    [InlineData("alaw-8k-rf64.wav", "RF64 is not supported")]
    [InlineData("rifx-big-endian.wav", "RIFX")]
    [InlineData("not-wave-form.wav", "WAVE required")]
    [InlineData("truncated-header.wav", "claims")]
    [InlineData("empty.wav", "too short")]
    [InlineData("riff-size-larger-than-file.wav", "the RIFF size")]
    [InlineData("data-size-larger-than-file.wav", "'data' chunk")]
    [InlineData("fmt-size-huge.wav", "'fmt ' chunk")]
    [InlineData("fmt-size-zero.wav", "the fmt chunk is 0 bytes")]
    [InlineData("no-fmt-chunk.wav", "no fmt chunk")]
    [InlineData("no-data-chunk.wav", "no data chunk")]
    [InlineData("zero-length-data.wav", "the data chunk is empty")]
    [InlineData("data-before-fmt.wav", "the data chunk comes before the fmt chunk")]
    [InlineData("many-tiny-chunks.wav", "more than 256 chunks")]
    [InlineData("alaw-8k-headerless.raw", "not a RIFF/WAVE file")]
    [InlineData("mp3-8k.mp3", "not a RIFF/WAVE file")]
    public void Invalid_samples_are_refused_for_the_reason_that_makes_them_invalid(string file, string reason)
    {
        var result = WaveValidator.Validate(File.ReadAllBytes(TestData.Audio("invalid", file)));

        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_tiny_chunks_stop_the_walk_at_the_chunk_limit()
    {
        var result = WaveValidator.Validate(File.ReadAllBytes(TestData.Audio("invalid", "many-tiny-chunks.wav")));

        Assert.Equal(RiffReader.MaxChunks, result.ChunksExamined);
    }

    [Fact]
    public void Huaweis_published_layout_with_a_trailing_fact_chunk_is_read_to_its_data()
    {
        var bytes = File.ReadAllBytes(TestData.Audio("valid", "alaw-8k-silence-fact-after-data.wav"));

        var result = WaveValidator.Validate(bytes);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(46, result.DataOffset);
        Assert.All(bytes.AsSpan((int)result.DataOffset, (int)result.DataLength).ToArray(), b => Assert.Equal(0xD5, b));
        Assert.Equal(TimeSpan.FromMilliseconds(result.DataLength / 8.0), result.Duration);
    }

    [Fact]
    public void The_odd_length_prompt_reports_its_odd_data_length()
    {
        var result = WaveValidator.Validate(File.ReadAllBytes(TestData.Audio("valid", "prompt-alaw-8k-odd-length.wav")));

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(1, result.DataLength % 2);
    }

    private static TheoryData<string> Files(string folder) =>
        [.. Directory.GetFiles(TestData.Audio(folder)).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];
}
