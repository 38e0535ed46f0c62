using System.Text.Json;
using Ccfs.Audio.Quality;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>
/// The speech prompts in test/data/audio/lint against what the ITU-T reference implementation of P.56 (STL's
/// <c>actlev -sf 8000</c>) measured on each: the level within 0.5 dB, the activity factor within 3 points, and each
/// prompt's verdict under the default thresholds.
/// </summary>
public sealed class PromptReferenceTests
{
    public static TheoryData<string> Prompts() => [.. Reference().Select(p => p.Key)];

    [Theory]
    [MemberData(nameof(Prompts))]
    public void The_level_and_activity_agree_with_the_reference_tool(string prompt)
    {
        var expected = Reference()[prompt];

        var measured = PromptAnalyzer.MeasureFile(File.ReadAllBytes(TestData.Audio("lint", prompt + ".wav")));

        Assert.Equal(expected.GetProperty("samples").GetInt64(), measured.Samples);
        Assert.InRange(measured.ActiveLevelDbov!.Value, expected.GetProperty("activeLevelDbov").GetDouble() - 0.5,
            expected.GetProperty("activeLevelDbov").GetDouble() + 0.5);
        Assert.InRange(measured.ActivityFactor * 100, expected.GetProperty("activityPercent").GetDouble() - 3,
            expected.GetProperty("activityPercent").GetDouble() + 3);
        Assert.Equal(expected.GetProperty("dc").GetDouble() / 32768, measured.DcOffset, 1e-6);
        var peak = Math.Max(-expected.GetProperty("min").GetDouble(), expected.GetProperty("max").GetDouble());
        Assert.Equal(20 * Math.Log10(peak / 32768), measured.PeakDbov, 1e-9);
    }

    [Theory]
    [MemberData(nameof(Prompts))]
    public void Without_256_bit_vectors_the_level_and_activity_agree_too(string prompt)
    {
        var expected = Reference()[prompt];
        var wav = File.ReadAllBytes(TestData.Audio("lint", prompt + ".wav"));
        var data = WaveValidator.Validate(wav);

        var measured = PromptMeter.Measure(wav.AsSpan((int)data.DataOffset, (int)data.DataLength), SampleCodes.ALaw, vectorized: false);

        Assert.Equal(expected.GetProperty("activeLevelDbov").GetDouble(), measured.ActiveLevelDbov!.Value, 0.5);
        Assert.Equal(expected.GetProperty("activityPercent").GetDouble(), measured.ActivityFactor * 100, 3.0);
    }

    [Theory]
    [MemberData(nameof(Prompts))]
    public void The_level_and_activity_are_those_of_the_method_computed_the_plain_way(string prompt)
    {
        var wav = File.ReadAllBytes(TestData.Audio("lint", prompt + ".wav"));
        var data = WaveValidator.Validate(wav);
        var samples = wav.AsSpan((int)data.DataOffset, (int)data.DataLength).ToArray().Select(c => (double)G711.ALawDecode(c)).ToArray();

        var plain = NaiveSpeechVoltmeter.Level(samples)!.Value;
        var measured = PromptAnalyzer.MeasureFile(wav);

        Assert.Equal(plain.Level, measured.ActiveLevelDbov!.Value, 0.01);
        Assert.Equal(plain.Activity, measured.ActivityFactor, 0.0005);
    }

    [Theory]
    [InlineData("prompt-nominal", "pass")]
    [InlineData("prompt-nominal-2", "pass")]
    [InlineData("prompt-quiet", "quiet")]
    [InlineData("prompt-loud", "loud")]
    [InlineData("prompt-clipped", "loud,clipping")]
    [InlineData("prompt-dc", "dc")]
    [InlineData("prompt-long-head", "head-silence")]
    [InlineData("prompt-long-tail", "tail-silence")]
    public void Each_prompt_gets_its_verdict_under_the_default_thresholds(string prompt, string verdict)
    {
        var report = PromptAnalyzer.AnalyzeFile(File.ReadAllBytes(TestData.Audio("lint", prompt + ".wav")));

        Assert.Equal(verdict, report.Verdict);
    }

    [Fact]
    public void The_all_silence_prompt_is_silent_and_nothing_else_is_judged()
    {
        var report = PromptAnalyzer.AnalyzeFile(File.ReadAllBytes(TestData.Audio("valid", "alaw-8k-silence-fact-after-data.wav")));

        Assert.Equal("silent", report.Verdict);
        Assert.Null(report.Measurement.ActiveLevelDbov);
        Assert.Equal(0, report.Measurement.ActivityFactor);
        Assert.All(report.Checks.Where(c => c.Name is PromptCheckNames.Level or PromptCheckNames.HeadSilence or PromptCheckNames.TailSilence),
            c => Assert.Equal(PromptCheckOutcome.NotApplicable, c.Outcome));
    }

    private static Dictionary<string, JsonElement> Reference() =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(TestData.Audio("lint", "reference.json")))!;
}
