using System.Globalization;

namespace Ccfs.Audio.Quality;

/// <summary>
/// A prompt's measurement with each check's verdict under a set of thresholds. The server answers with
/// <see cref="HeaderValue"/> in <see cref="HeaderName"/>; its grammar is in docs/prompt-quality.md.
/// </summary>
public sealed record PromptReport(PromptMeasurement Measurement, PromptThresholds Thresholds, IReadOnlyList<PromptCheck> Checks)
{
    public const string HeaderName = "X-Ccfs-Prompt-Check";

    // A value that rounds to zero is written 0.0, never -0.0.
    private const string OneDecimal = "0.0;-0.0;0.0";

    public bool Passed => !Checks.Any(c => c.Failed);

    public IEnumerable<PromptCheck> Failures => Checks.Where(c => c.Failed);

    /// <summary>
    /// <c>pass</c>, or what failed, comma-separated: <c>quiet</c> or <c>loud</c> for the level, the check's name for
    /// the others.
    /// </summary>
    public string Verdict => Passed ? "pass" : string.Join(',', Failures.Select(VerdictWord));

    /// <summary>The one-line summary, for example <c>level=-31.2dBov;activity=88%;clipped=0;dc=0.1%;head=0.3s;tail=0.4s;verdict=quiet</c>.</summary>
    public string HeaderValue
    {
        get
        {
            var m = Measurement;
            var level = m.ActiveLevelDbov is { } dbov ? Number(dbov, OneDecimal) + "dBov" : "none";
            return $"level={level};activity={Number(m.ActivityFactor * 100, "0")}%;clipped={m.ClippedRuns};"
                + $"dc={Number(m.DcOffset * 100, OneDecimal)}%;head={Number(m.HeadSilence.TotalSeconds, OneDecimal)}s;"
                + $"tail={Number(m.TailSilence.TotalSeconds, OneDecimal)}s;verdict={Verdict}";
        }
    }

    /// <summary>Each check of <see cref="PromptCheckNames.All"/> on the measurement, under the thresholds.</summary>
    public static PromptReport Judge(PromptMeasurement measurement, PromptThresholds thresholds)
    {
        var m = measurement;
        var t = thresholds;
        var speech = m.ActiveLevelDbov is not null;
        return new PromptReport(m, t,
        [
            speech
                ? new(PromptCheckNames.Silent, PromptCheckOutcome.Pass, $"active speech in {Number(m.ActivityFactor * 100, "0")} % of the prompt")
                : new(PromptCheckNames.Silent, PromptCheckOutcome.Fail, "no active speech (ITU-T P.56)"),
            Level(m.ActiveLevelDbov, t),
            new(PromptCheckNames.Clipping, Outcome(m.ClippedRuns <= t.MaxClippedRuns),
                m.ClippedRuns == 0 ? "no clipped run" : $"{m.ClippedRuns} clipped run(s), {Number(m.ClippedFraction * 100, "0.0#")} % of the samples"),
            new(PromptCheckNames.Dc, Outcome(Math.Abs(m.DcOffset) < t.MaxDcOffset),
                $"DC offset {Number(m.DcOffset * 100, "+0.0#;-0.0#;0.0")} % of full scale (limit {Number(t.MaxDcOffset * 100, "0.#")} %)"),
            Silence(PromptCheckNames.HeadSilence, speech, m.HeadSilence, t.MaxHeadSilence, "before the speech"),
            Silence(PromptCheckNames.TailSilence, speech, m.TailSilence, t.MaxTailSilence, "after the speech"),
        ]);
    }

    private static PromptCheck Level(double? level, PromptThresholds t)
    {
        if (level is not { } dbov)
        {
            return new(PromptCheckNames.Level, PromptCheckOutcome.NotApplicable, "no active speech to measure");
        }

        var off = dbov - t.TargetLevelDbov;
        var where = Math.Abs(off) <= t.LevelToleranceDb
            ? "within"
            : $"{Number(Math.Abs(off), "0.0")} dB {(off < 0 ? "below" : "above")}";
        return new(PromptCheckNames.Level, Outcome(Math.Abs(off) <= t.LevelToleranceDb),
            $"active speech level {Number(dbov, "0.0")} dBov, {where} {Number(t.TargetLevelDbov, "0.#")} +/- {Number(t.LevelToleranceDb, "0.#")} dB");
    }

    private static PromptCheck Silence(string name, bool speech, TimeSpan silence, TimeSpan limit, string where) => speech
        ? new(name, Outcome(silence <= limit), $"{Number(silence.TotalSeconds, "0.0#")} s of silence {where} (limit {Number(limit.TotalSeconds, "0.0#")} s)")
        : new(name, PromptCheckOutcome.NotApplicable, "no speech to be silent around");

    private string VerdictWord(PromptCheck check) => check.Name switch
    {
        PromptCheckNames.Level => Measurement.ActiveLevelDbov < Thresholds.TargetLevelDbov ? "quiet" : "loud",
        _ => check.Name,
    };

    private static PromptCheckOutcome Outcome(bool passed) => passed ? PromptCheckOutcome.Pass : PromptCheckOutcome.Fail;

    private static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
