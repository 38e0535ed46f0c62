using Ccfs.Audio.Quality;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>Signals whose answers are known without running the analysis: tones at set levels, clipping, offsets, silence, gaps.</summary>
public sealed class PromptMeasurementTests
{
    [Theory]
    [InlineData(-10.0)]
    [InlineData(-26.0)]
    [InlineData(-40.0)]
    [InlineData(-55.0)]
    public void A_steady_tone_measures_its_rms_level(double dbov)
    {
        var tone = Signals.Sine(1000, dbov, 3);

        var measured = PromptAnalyzer.MeasurePcm16(Signals.Pcm16(tone));

        // P.56 finds the level to within the 0.5 dB its interpolation stops at; the first ~20 ms, while the envelope
        // rises, are the only inactive samples.
        Assert.InRange(measured.ActiveLevelDbov!.Value, dbov - 0.5, dbov + 0.5);
        Assert.InRange(measured.ActivityFactor, 0.98, 1.0);
        Assert.Equal(20 * Math.Log10(Signals.ToInt16(tone).Max(x => Math.Abs((int)x)) / 32768.0), measured.PeakDbov, 1e-9);
        Assert.Equal(0, measured.DcOffset, 1e-4);
        Assert.Equal(TimeSpan.FromSeconds(3), measured.Duration);
    }

    [Theory]
    [InlineData(-12.0)]
    [InlineData(-26.0)]
    [InlineData(-45.0)]
    public void A_tone_in_a_law_measures_its_level_too(double dbov)
    {
        var tone = Signals.Sine(440, dbov, 2);

        var measured = PromptAnalyzer.Measure(Signals.ALaw(tone), WaveEncodings.ALaw);

        Assert.InRange(measured.ActiveLevelDbov!.Value, dbov - 0.5, dbov + 0.5);
        Assert.Equal(0, measured.ClippedRuns);
    }

    [Fact]
    public void A_square_wave_at_the_extreme_code_is_one_clipped_run_per_half_period()
    {
        // 250 Hz: 16 samples at +32256, 16 at -32256, for 1 s: 500 half periods, every sample in a run.
        var square = Enumerable.Range(0, 8000).Select(i => (i / 16 % 2 == 0 ? 1.0 : -1.0) * 32256).ToArray();

        var measured = PromptAnalyzer.Measure(Signals.ALaw(square), WaveEncodings.ALaw);

        Assert.Equal(500, measured.ClippedRuns);
        Assert.Equal(1.0, measured.ClippedFraction);
        Assert.Equal(20 * Math.Log10(32256 / 32768.0), measured.PeakDbov, 1e-9);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(40, 1)]
    public void Only_three_or_more_extreme_samples_in_a_row_are_clipping(int run, int runs)
    {
        var samples = Signals.Concat(Signals.Sine(300, -20, 0.5), Enumerable.Repeat(32767.0, run).ToArray(), Signals.Sine(300, -20, 0.5));

        var alaw = PromptAnalyzer.Measure(Signals.ALaw(samples), WaveEncodings.ALaw);
        var pcm = PromptAnalyzer.MeasurePcm16(Signals.Pcm16(samples));

        Assert.Equal(runs, alaw.ClippedRuns);
        Assert.Equal(runs, pcm.ClippedRuns);
        Assert.Equal(runs * run / (double)samples.Length, pcm.ClippedFraction, 1e-12);
    }

    [Fact]
    public void A_run_that_crosses_the_analysis_chunks_counts_once()
    {
        // The meter decodes a quarter of a second at a time; this run spans the first boundary, at sample 2000.
        var samples = Signals.Concat(Signals.Sine(300, -20, 1990 / 8000.0), Enumerable.Repeat(-32768.0, 25).ToArray(), Signals.Sine(300, -20, 0.5));

        var alaw = PromptAnalyzer.Measure(Signals.ALaw(samples), WaveEncodings.ALaw);
        var pcm = PromptAnalyzer.MeasurePcm16(Signals.Pcm16(samples));

        Assert.Equal((1, 25 / (double)samples.Length), (alaw.ClippedRuns, alaw.ClippedFraction));
        Assert.Equal((1, 25 / (double)samples.Length), (pcm.ClippedRuns, pcm.ClippedFraction));
    }

    [Fact]
    public void An_offset_is_the_mean_as_a_fraction_of_full_scale()
    {
        // A square wave of ±1000 around +655 (2 % of full scale) over whole periods: the mean is exactly 655.
        var signal = Enumerable.Range(0, 16000).Select(i => (i / 20 % 2 == 0 ? 1000.0 : -1000.0) + 655).ToArray();

        var report = PromptAnalyzer.Analyze(Signals.ALaw(signal), WaveEncodings.ALaw);
        var pcm = PromptAnalyzer.MeasurePcm16(Signals.Pcm16(signal));

        Assert.Equal(655 / 32768.0, pcm.DcOffset, 1e-12);
        Assert.Equal(PromptCheckOutcome.Fail, report.Checks.Single(c => c.Name == PromptCheckNames.Dc).Outcome);
        Assert.Contains("dc", report.Verdict.Split(','));
    }

    [Fact]
    public void Digital_silence_is_silent_with_the_noise_floor_at_minus_100()
    {
        var measured = PromptAnalyzer.MeasurePcm16(Signals.Pcm16(Signals.Silence(2)));

        Assert.Null(measured.ActiveLevelDbov);
        Assert.Equal(0, measured.ActivityFactor);
        Assert.Equal(-100, measured.NoiseFloorDbov);
        Assert.Equal(-100, measured.PeakDbov);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)), (measured.HeadSilence, measured.TailSilence));
    }

    [Theory]
    [InlineData(0xD5)]
    [InlineData(0x55)]
    public void The_a_law_idle_pattern_is_silent_although_p56_finds_a_level_in_it(byte idle)
    {
        var data = Enumerable.Repeat(idle, 16000).ToArray();

        var measured = PromptAnalyzer.Measure(data, WaveEncodings.ALaw);

        Assert.Null(measured.ActiveLevelDbov);
        Assert.Equal(20 * Math.Log10(8 / 32768.0), measured.NoiseFloorDbov!.Value, 1e-9);
    }

    [Fact]
    public void A_click_alone_is_not_speech()
    {
        var click = Signals.Concat(Signals.Silence(1), [32767, -32768, 32767], Signals.Silence(1));

        Assert.Null(PromptAnalyzer.MeasurePcm16(Signals.Pcm16(click)).ActiveLevelDbov);
    }

    [Fact]
    public void Tones_with_gaps_measure_the_silence_around_them_but_not_between()
    {
        // 1.2 s silence, 0.5 s tone, 1.5 s gap, 0.5 s tone, 2.0 s silence.
        var signal = Signals.Concat(Signals.Silence(1.2), Signals.Sine(500, -20, 0.5), Signals.Silence(1.5), Signals.Sine(500, -20, 0.5),
            Signals.Silence(2.0));

        var measured = PromptAnalyzer.MeasurePcm16(Signals.Pcm16(signal));

        // The envelope (two 30 ms smoothers) reaches P.56's threshold, 15.9 dB under the level, some 20 ms into a tone and
        // leaves it about 90 ms after; the hangover then keeps 0.2 s more active.
        Assert.InRange(measured.HeadSilence.TotalSeconds, 1.2, 1.25);
        Assert.InRange(measured.TailSilence.TotalSeconds, 2.0 - 0.2 - 0.15, 2.0 - 0.2);
        // Active: two bursts of about 0.5 + 0.07 + 0.2 s, over 5.7 s.
        Assert.InRange(measured.ActivityFactor, 2 * 0.72 / 5.7, 2 * 0.82 / 5.7);
        // The gap is silent, so the quietest frames are digital silence.
        Assert.Equal(-100, measured.NoiseFloorDbov);
    }

    [Fact]
    public void The_noise_floor_is_the_quietest_tenth_of_the_frames()
    {
        // 95 % of the frames carry a tone at -20 dBov, 5 % carry one at -50: the quietest tenth is half of each.
        var signal = Signals.Concat(Signals.Sine(500, -50, 0.5), Signals.Sine(500, -20, 9.5));

        var measured = PromptAnalyzer.MeasurePcm16(Signals.Pcm16(signal));

        var expected = 10 * Math.Log10((Math.Pow(10, -5.0) + Math.Pow(10, -2.0)) / 2);
        Assert.Equal(expected, measured.NoiseFloorDbov!.Value, 0.05);
    }

    [Fact]
    public void An_empty_signal_measures_nothing_and_throws_nothing()
    {
        var measured = PromptAnalyzer.Measure([], WaveEncodings.ALaw);

        Assert.Equal(0, measured.Samples);
        Assert.Null(measured.ActiveLevelDbov);
        Assert.Null(measured.NoiseFloorDbov);
        Assert.Equal(0, measured.DcOffset);
    }

    [Fact]
    public void A_whole_file_in_16_bit_pcm_at_8_khz_is_measured_though_the_validator_refuses_it()
    {
        var wav = File.ReadAllBytes(TestData.Audio("invalid", "pcm16-8k.wav"));

        var measured = PromptAnalyzer.MeasureFile(wav);

        Assert.False(WaveValidator.Validate(wav).IsValid);
        Assert.Equal(PromptAnalyzer.MeasurePcm16(wav.AsSpan(44)), measured);
        Assert.Equal(8000, measured.Samples);
    }

    [Theory]
    [InlineData("speech-pcm16-22050hz.wav", "16-bit linear PCM is not supported")]
    [InlineData("alaw-16k.wav", "sample rate 16000 Hz")]
    [InlineData("truncated-header.wav", "the RIFF size 8050 claims 8058 bytes but the file has 30")]
    public void A_file_that_is_not_a_prompt_is_refused_with_the_validators_reason(string file, string reason)
    {
        var error = Assert.Throws<UnsupportedAudioException>(() => PromptAnalyzer.MeasureFile(File.ReadAllBytes(TestData.Audio("invalid", file))));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_encoding_measures_the_same_tone_alike()
    {
        var tone = Signals.Sine(700, -18, 2);
        var samples = Signals.ToInt16(tone);

        var alaw = PromptAnalyzer.Measure([.. samples.Select(G711.ALawEncode)], WaveEncodings.ALaw);
        var mulaw = PromptAnalyzer.Measure([.. samples.Select(G711.MuLawEncode)], WaveEncodings.MuLaw);
        var pcm8 = PromptAnalyzer.Measure([.. samples.Select(s => (byte)((s >> 8) + 128))], WaveEncodings.Pcm8);
        var pcm16 = PromptAnalyzer.MeasurePcm16(Signals.Pcm16(tone));

        Assert.All([alaw, mulaw, pcm8], m => Assert.Equal(pcm16.ActiveLevelDbov!.Value, m.ActiveLevelDbov!.Value, 0.3));
    }
}
