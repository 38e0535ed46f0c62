using System.Text.RegularExpressions;
using Ccfs.Audio.Quality;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>The verdicts under thresholds, and the one-line summary in the grammar docs/prompt-quality.md gives.</summary>
public sealed partial class PromptReportTests
{
    private static readonly PromptMeasurement Nominal = new(Samples: 16000, ActiveLevelDbov: -26.3, ActivityFactor: 0.874, PeakDbov: -6.2,
        ClippedRuns: 0, ClippedFraction: 0, DcOffset: 0.0004, HeadSilence: TimeSpan.FromSeconds(0.3), TailSilence: TimeSpan.FromSeconds(0.45),
        NoiseFloorDbov: -70.1);

    [Fact]
    public void A_prompt_within_every_threshold_passes()
    {
        var report = PromptReport.Judge(Nominal, PromptThresholds.Default);

        Assert.True(report.Passed);
        Assert.Equal("pass", report.Verdict);
        Assert.Equal(PromptCheckNames.All, report.Checks.Select(c => c.Name));
        Assert.Equal("level=-26.3dBov;activity=87%;clipped=0;dc=0.0%;head=0.3s;tail=0.5s;verdict=pass", report.HeaderValue);
    }

    [Theory]
    [InlineData(-31.9, true)]
    [InlineData(-32.0, true)]
    [InlineData(-20.0, true)]
    [InlineData(-32.1, false)]
    [InlineData(-19.9, false)]
    public void The_level_passes_within_the_tolerance_either_side_of_the_target(double level, bool passes)
    {
        var report = PromptReport.Judge(Nominal with { ActiveLevelDbov = level }, PromptThresholds.Default);

        Assert.Equal(passes, report.Passed);
        Assert.Equal(passes ? "pass" : level < -26 ? "quiet" : "loud", report.Verdict);
    }

    [Fact]
    public void Each_failure_is_named_in_the_verdict_in_the_order_of_the_checks()
    {
        var measurement = Nominal with
        {
            ActiveLevelDbov = -12.4,
            ClippedRuns = 3,
            ClippedFraction = 0.012,
            DcOffset = -0.05,
            HeadSilence = TimeSpan.FromSeconds(1.5),
            TailSilence = TimeSpan.FromSeconds(2.25),
        };

        var report = PromptReport.Judge(measurement, PromptThresholds.Default);

        Assert.Equal("loud,clipping,dc,head-silence,tail-silence", report.Verdict);
        Assert.Equal("level=-12.4dBov;activity=87%;clipped=3;dc=-5.0%;head=1.5s;tail=2.3s;verdict=loud,clipping,dc,head-silence,tail-silence",
            report.HeaderValue);
        Assert.Contains("13.6 dB above -26 +/- 6 dB", report.Checks.Single(c => c.Name == PromptCheckNames.Level).Finding, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silent_prompt_fails_silent_only_and_its_header_says_level_none()
    {
        var silent = Nominal with { ActiveLevelDbov = null, ActivityFactor = 0, HeadSilence = TimeSpan.FromSeconds(2), TailSilence = TimeSpan.FromSeconds(2) };

        var report = PromptReport.Judge(silent, PromptThresholds.Default);

        Assert.Equal("silent", report.Verdict);
        Assert.Equal("level=none;activity=0%;clipped=0;dc=0.0%;head=2.0s;tail=2.0s;verdict=silent", report.HeaderValue);
    }

    [Fact]
    public void Thresholds_of_a_vdn_of_its_own_change_the_verdict()
    {
        var quietTenant = PromptThresholds.Default with { TargetLevelDbov = -28, LevelToleranceDb = 3, MaxHeadSilence = TimeSpan.FromSeconds(0.2) };

        var report = PromptReport.Judge(Nominal, quietTenant);

        Assert.Equal("head-silence", report.Verdict);
        Assert.Same(quietTenant, report.Thresholds);
    }

    [Fact]
    public void A_value_that_rounds_to_zero_is_never_written_with_a_minus_sign()
    {
        var report = PromptReport.Judge(Nominal with { DcOffset = -0.0001 }, PromptThresholds.Default);

        Assert.Contains(";dc=0.0%;", report.HeaderValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_finding_and_the_summary_are_printable_ascii_fit_for_a_response_header()
    {
        var prompts = Directory.GetFiles(TestData.Audio("lint"), "*.wav").Append(TestData.Audio("valid", "alaw-8k-silence-fact-after-data.wav"));

        foreach (var report in prompts.Select(p => PromptAnalyzer.AnalyzeFile(File.ReadAllBytes(p))))
        {
            Assert.All(report.Checks.Select(c => c.Finding).Append(report.HeaderValue), text => Assert.True(text.All(c => c is >= ' ' and <= '~'), text));
        }
    }

    [Theory]
    [InlineData("prompt-nominal")]
    [InlineData("prompt-clipped")]
    [InlineData("prompt-dc")]
    [InlineData("prompt-long-tail")]
    public void The_header_of_every_report_follows_the_grammar(string prompt)
    {
        var report = PromptAnalyzer.AnalyzeFile(File.ReadAllBytes(TestData.Audio("lint", prompt + ".wav")));

        Assert.Matches(HeaderGrammar(), report.HeaderValue);
    }

    /// <summary>docs/prompt-quality.md's grammar of X-Ccfs-Prompt-Check.</summary>
    [GeneratedRegex(@"^level=(-?\d+\.\ddBov|none);activity=\d+%;clipped=\d+;dc=-?\d+\.\d%;head=\d+\.\ds;tail=\d+\.\ds;"
        + @"verdict=(pass|(quiet|loud|clipping|dc|head-silence|tail-silence|silent)(,(quiet|loud|clipping|dc|head-silence|tail-silence|silent))*)$")]
    private static partial Regex HeaderGrammar();
}
