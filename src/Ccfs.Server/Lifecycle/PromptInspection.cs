using Ccfs.Audio;
using Ccfs.Audio.Quality;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Lifecycle;

/// <summary>
/// Measures a validated upload's prompt under its VDN's <c>promptCheck</c> and thresholds (docs/prompt-quality.md), for
/// uploadFile and the admin upload alike, and counts each check's outcome. The caller answers with the findings and,
/// under <c>refuse</c>, refuses a prompt that failed a check before anything is stored.
/// </summary>
public sealed class PromptInspection(CcfsMetrics metrics)
{
    /// <summary>The findings; null when the VDN's <c>promptCheck</c> is <c>off</c>.</summary>
    public PromptReport? Inspect(ReadOnlySpan<byte> file, WaveValidation wave, SystemParameters parameters)
    {
        if (parameters.PromptCheck == PromptCheckMode.Off)
        {
            return null;
        }

        var report = PromptAnalyzer.Analyze(file.Slice((int)wave.DataOffset, (int)wave.DataLength), wave.Encoding, parameters.PromptThresholds);
        foreach (var check in report.Checks)
        {
            metrics.PromptChecks.WithLabels(check.Name, OutcomeName(check.Outcome)).Inc();
        }

        return report;
    }

    /// <summary>Whether the findings refuse the upload: a failed check under <c>refuse</c>.</summary>
    public static bool Refuses(PromptReport? report, SystemParameters parameters) =>
        report is { Passed: false } && parameters.PromptCheck == PromptCheckMode.Refuse;

    /// <summary>Each failed check and its finding, for <c>X-Ccfs-Reason</c> (ASCII, as every finding is).</summary>
    public static string RefusalReason(PromptReport report) =>
        "the prompt failed its quality checks (promptCheck=refuse): " + string.Join("; ", report.Failures.Select(f => $"{f.Name}: {f.Finding}"));

    private static string OutcomeName(PromptCheckOutcome outcome) => outcome switch
    {
        PromptCheckOutcome.Pass => "pass",
        PromptCheckOutcome.Fail => "fail",
        _ => "not-applicable",
    };
}
