using CsCheck;

namespace Ccfs.Audio.Tests;

public sealed class AudioConverterTests
{
    public static TheoryData<string, string> Convertible() => new()
    {
        { "valid", "alaw-8k-sine.wav" },
        { "valid", "alaw-8k-extensible.wav" },
        { "valid", "prompt-alaw-8k-odd-length.wav" },
        { "optional", "mulaw-8k-sine.wav" },
        { "optional", "pcm-u8-8k-sine.wav" },
        { "invalid", "alaw-16k.wav" },
        { "invalid", "alaw-8k-stereo.wav" },
        { "invalid", "pcm16-8k.wav" },
        { "invalid", "pcm16-8k-extensible.wav" },
        { "invalid", "speech-pcm16-22050hz.wav" },
        { "invalid", "alaw-8k-streaming-header.wav" },
    };

    [Theory]
    [MemberData(nameof(Convertible))]
    public void What_it_converts_passes_the_servers_validator(string folder, string file)
    {
        using var input = File.OpenRead(TestData.Audio(folder, file));
        using var output = new MemoryStream();

        var result = AudioConverter.ConvertToPrompt(input, output);

        var check = WaveValidator.Validate(output.ToArray());
        Assert.True(check.IsValid, check.Reason);
        Assert.Equal(WaveEncodings.ALaw, check.Encoding);
        Assert.Equal(result.Samples, check.DataLength);
        Assert.True(result.Samples > 0);
    }

    [Fact]
    public void An_a_law_prompt_goes_through_unchanged()
    {
        var sox = File.ReadAllBytes(TestData.Audio("valid", "alaw-8k-sine.wav"));
        using var output = new MemoryStream();

        AudioConverter.ConvertToPrompt(new MemoryStream(sox), output);

        Assert.Equal(sox, output.ToArray());
    }

    [Fact]
    public void A_stereo_44100_hz_file_becomes_8000_hz_mono_of_the_same_duration()
    {
        var samples = WaveFiles.Sine(44100, 440, 2.0);
        using var output = new MemoryStream();

        var result = AudioConverter.ConvertToPrompt(new MemoryStream(WaveFiles.Write(samples, 44100, WaveFormat.Pcm, 2, channels: 2)), output);

        Assert.Equal(2, result.Source.Channels);
        Assert.Equal(16000, result.Samples);
        Assert.Equal(TimeSpan.FromSeconds(2), result.Duration);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_conversion_past_its_sample_bound_stops_with_prompt_too_long_whether_or_not_the_header_says_the_length(bool streamingSizes)
    {
        // 1000 Hz for 2 s: 2,000 frames in, 16,000 samples out.
        var wav = WaveFiles.Write(WaveFiles.Sine(1000, 100, 2.0), 1000, WaveFormat.Pcm, 1, streamingSizes: streamingSizes);
        using var output = new MemoryStream();

        var error = Assert.Throws<PromptTooLongException>(() =>
            AudioConverter.ConvertToPrompt(new MemoryStream(wav), output, PromptConversion.FormatOnly with { MaxSamples = 10_000 }));
        var within = AudioConverter.ConvertToPrompt(new MemoryStream(wav), new MemoryStream(), PromptConversion.FormatOnly with { MaxSamples = 20_000 });

        Assert.Equal(10_000, error.MaxSamples);
        Assert.Equal(0, output.Length);
        Assert.Equal(16_000, within.Samples);
    }

    [Fact]
    public void A_header_that_claims_far_more_data_than_the_file_holds_is_converted_within_the_bound()
    {
        // One second at 8 kHz whose data chunk claims about 2 GB, as a writer piping to stdout leaves it.
        var wav = WaveFiles.Write(WaveFiles.Sine(8000, 440, 1.0), 8000, WaveFormat.Pcm, 2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(wav.AsSpan(40), 0x7FFFF000);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var result = AudioConverter.ConvertToPrompt(new MemoryStream(wav), new MemoryStream(), PromptConversion.FormatOnly with { MaxSamples = 100_000 });

        Assert.Equal(8_000, result.Samples);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024 * 1024, "the claimed length sized a buffer");
    }

    [Theory]
    [InlineData("invalid", "gsm610-8k.wav")]
    [InlineData("invalid", "mp3-8k.mp3")]
    [InlineData("invalid", "empty.wav")]
    [InlineData("invalid", "alaw-8k-headerless.raw")]
    public void What_it_cannot_convert_is_refused_with_the_reason(string folder, string file)
    {
        using var input = File.OpenRead(TestData.Audio(folder, file));

        var error = Assert.Throws<UnsupportedAudioException>(() => AudioConverter.ConvertToPrompt(input, new MemoryStream()));

        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Random_and_mutated_input_is_converted_or_refused_never_thrown_otherwise()
    {
        var seeds = TestData.AudioFiles("valid").Concat(TestData.AudioFiles("optional"))
            .Select(File.ReadAllBytes).Where(b => b.Length < 40_000).ToArray();
        var mutated = Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int[0, 100], Gen.Byte.Array[1, 4], (seed, at, bytes) =>
        {
            var copy = (byte[])seeds[seed].Clone();
            bytes.CopyTo(copy, Math.Min(at, copy.Length - bytes.Length));
            return copy;
        });

        Gen.OneOf(mutated, Gen.Byte.Array[0, 300]).Sample(bytes =>
        {
            using var output = new MemoryStream();
            try
            {
                AudioConverter.ConvertToPrompt(new MemoryStream(bytes), output);
                Assert.True(WaveValidator.Validate(output.ToArray()).IsValid);
            }
            catch (UnsupportedAudioException)
            {
            }
        }, iter: 2000);
    }
}
