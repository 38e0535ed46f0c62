using Ccfs.Audio;
using Ccfs.Audio.Quality;
using Ccfs.Protocol.Wire;

namespace Ccfs.Server.Tests.Unit.Lifecycle;

/// <summary>
/// What the server writes in X-Ccfs-Prompt-Check (Ccfs.Audio's report) is what the SDK, the CLI and the admin API read
/// (Ccfs.Protocol's line), for every kind of prompt: the two are written in different assemblies and must not drift.
/// </summary>
public sealed class PromptCheckLineRoundTripTests
{
    [Fact]
    public void Every_report_line_reads_back_with_its_verdict_and_values()
    {
        var random = new Random(20261206);
        var prompts = Directory.GetFiles(TestData.Audio("lint"), "*.wav").Select(File.ReadAllBytes)
            .Append(Samples.Read("valid", "alaw-8k-silence-fact-after-data.wav"))
            .Concat(Enumerable.Range(0, 200).Select(_ => Noise(random)));
        var thresholds = new PromptThresholds { MaxHeadSilence = TimeSpan.FromSeconds(0.1), MaxTailSilence = TimeSpan.FromSeconds(0.1) };
        var verdicts = new HashSet<string>();

        foreach (var wav in prompts)
        {
            var report = PromptAnalyzer.AnalyzeFile(wav, thresholds);

            var line = PromptCheckLine.TryParse(report.HeaderValue);

            Assert.NotNull(line);
            Assert.Equal(report.Verdict, line.Verdict);
            Assert.Equal(report.Passed, line.Passed);
            Assert.Equal(report.Measurement.ClippedRuns, line.ClippedRuns);
            Assert.Equal(report.Measurement.ActiveLevelDbov is null, line.LevelDbov is null);
            if (line.LevelDbov is { } level)
            {
                Assert.Equal(report.Measurement.ActiveLevelDbov!.Value, level, 0.05);
            }

            verdicts.Add(report.Verdict);
        }

        // The prompts cover passing, silent and each kind of failure the line can carry.
        Assert.Contains("pass", verdicts);
        Assert.Contains("silent", verdicts);
        Assert.Contains(verdicts, v => v.Contains("clipping", StringComparison.Ordinal));
        Assert.Contains(verdicts, v => v.Contains("quiet", StringComparison.Ordinal));
    }

    /// <summary>An A-law prompt of random codes at a random level, 0.1 to 2 s long.</summary>
    private static byte[] Noise(Random random)
    {
        var samples = new byte[random.Next(800, 16000)];
        var scale = random.NextDouble();
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = G711.ALawEncode((short)((random.NextDouble() * 2 - 1) * 32000 * scale));
        }

        return WaveWriter.ALaw(samples);
    }
}
