using Ccfs.Audio.Quality;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>
/// <c>AudioConverter</c> with <see cref="PromptConversion.NormalizeToDbov"/>: every speech prompt comes out at the
/// target level as the analysis measures it, without a clipped run, a sample at A-law's extreme code or a DC offset,
/// and with the silence around the speech cut to the pad: it passes every check.
/// </summary>
public sealed class NormalizationTests
{
    private static readonly byte[] ExtremeCodes = [0xAA, 0x2A];

    public static TheoryData<string> Prompts() =>
        [.. Directory.GetFiles(TestData.Audio("lint"), "*.wav").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Prompts))]
    public void Every_speech_prompt_comes_out_at_minus_26_dbov_unclipped(string prompt)
    {
        var (wav, result) = Convert(File.ReadAllBytes(TestData.Audio("lint", prompt + ".wav")), new PromptConversion { NormalizeToDbov = -26 });

        var report = PromptAnalyzer.AnalyzeFile(wav);
        var data = Data(wav);
        Assert.InRange(report.Measurement.ActiveLevelDbov!.Value, -26.5, -25.5);
        Assert.Equal(0, report.Measurement.ClippedRuns);
        Assert.Equal(-1, data.IndexOfAny(ExtremeCodes));
        Assert.Equal(report.Measurement, result.Normalization!.After);
        Assert.True(report.Passed, report.HeaderValue);
    }

    [Theory]
    [InlineData("prompt-long-head", 0.2)]
    [InlineData("prompt-long-tail", 0.2)]
    [InlineData("prompt-long-tail", 0.5)]
    [InlineData("prompt-nominal", 0.0)]
    public void The_silence_around_the_speech_is_cut_to_the_pad(string prompt, double pad)
    {
        var source = File.ReadAllBytes(TestData.Audio("lint", prompt + ".wav"));
        var before = PromptAnalyzer.MeasureFile(source);

        var (wav, result) = Convert(source, new PromptConversion { NormalizeToDbov = -26, Pad = TimeSpan.FromSeconds(pad) });

        // The level moved, and with it P.56's threshold, so the silence measured after may differ from the pad by a few ms.
        var after = PromptAnalyzer.MeasureFile(wav);
        Assert.Equal(Math.Min(pad, before.HeadSilence.TotalSeconds), after.HeadSilence.TotalSeconds, 0.02);
        Assert.Equal(Math.Min(pad, before.TailSilence.TotalSeconds), after.TailSilence.TotalSeconds, 0.02);
        Assert.Equal(before.Duration - after.Duration, result.Normalization!.HeadTrimmed + result.Normalization.TailTrimmed);
    }

    [Fact]
    public void A_peak_the_gain_would_clip_is_limited_and_the_level_still_reached()
    {
        // The quiet prompt needs about +14 dB; a full-scale click in it would go 14 dB past full scale.
        var quiet = File.ReadAllBytes(TestData.Audio("lint", "prompt-quiet.wav"));
        var at = (int)WaveValidator.Validate(quiet).DataOffset + 20000;
        for (var i = 0; i < 30; i++)
        {
            quiet[at + i] = i % 2 == 0 ? (byte)0xAA : (byte)0x2A;
        }

        var (wav, result) = Convert(quiet, new PromptConversion { NormalizeToDbov = -26 });

        var measured = PromptAnalyzer.MeasureFile(wav);
        Assert.True(result.Normalization!.LimitedSamples >= 30);
        Assert.InRange(measured.ActiveLevelDbov!.Value, -26.5, -25.5);
        Assert.Equal(-1, Data(wav).IndexOfAny(ExtremeCodes));
        Assert.True(measured.PeakDbov < -0.3, $"peak {measured.PeakDbov}");
    }

    [Fact]
    public void Any_target_is_reached()
    {
        var source = File.ReadAllBytes(TestData.Audio("invalid", "speech-pcm16-22050hz.wav"));

        foreach (var target in new[] { -35.0, -20.0, -16.0 })
        {
            var (wav, _) = Convert(source, new PromptConversion { NormalizeToDbov = target });

            Assert.Equal(target, PromptAnalyzer.MeasureFile(wav).ActiveLevelDbov!.Value, 0.5);
        }
    }

    [Fact]
    public void A_prompt_without_speech_cannot_be_normalised()
    {
        var silence = File.ReadAllBytes(TestData.Audio("valid", "alaw-8k-silence-fact-after-data.wav"));

        var error = Assert.Throws<UnsupportedAudioException>(() => Convert(silence, new PromptConversion { NormalizeToDbov = -26 }));

        Assert.Contains("no active speech", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_normalising_the_level_and_the_silence_stay_as_they_are()
    {
        var source = File.ReadAllBytes(TestData.Audio("lint", "prompt-long-head.wav"));

        var (wav, result) = Convert(source, PromptConversion.FormatOnly);

        Assert.Null(result.Normalization);
        Assert.Equal(Data(source).ToArray(), Data(wav).ToArray());
    }

    private static (byte[] Wav, ConversionResult Result) Convert(byte[] source, PromptConversion conversion)
    {
        using var output = new MemoryStream();
        var result = AudioConverter.ConvertToPrompt(new MemoryStream(source), output, conversion);
        return (output.ToArray(), result);
    }

    private static ReadOnlySpan<byte> Data(byte[] wav)
    {
        var validation = WaveValidator.Validate(wav);
        Assert.True(validation.IsValid, validation.Reason);
        return wav.AsSpan((int)validation.DataOffset, (int)validation.DataLength);
    }
}
