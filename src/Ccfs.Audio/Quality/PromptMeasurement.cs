namespace Ccfs.Audio.Quality;

/// <summary>
/// What <see cref="PromptAnalyzer"/> measures on a prompt's 16-bit signal. Levels are in dBov (decibels relative to the
/// overload point, 32768), with −100 standing for digital silence. docs/prompt-quality.md says how each is measured.
/// </summary>
/// <param name="Samples">Samples at 8000 Hz.</param>
/// <param name="ActiveLevelDbov">ITU-T P.56 active speech level (method B); null when there is no active speech.</param>
/// <param name="ActivityFactor">The share of the signal P.56 counts as active speech, 0 to 1 (0 when silent).</param>
/// <param name="PeakDbov">The largest magnitude of any sample.</param>
/// <param name="ClippedRuns">Runs of three or more samples in a row at the format's extreme value.</param>
/// <param name="ClippedFraction">The share of all samples that lie in those runs.</param>
/// <param name="DcOffset">The mean sample as a fraction of full scale, with its sign.</param>
/// <param name="HeadSilence">Before the first active sample (the whole prompt when silent).</param>
/// <param name="TailSilence">After the last active sample, P.56's 0.2 s hangover being active (the whole prompt when silent).</param>
/// <param name="NoiseFloorDbov">The mean power of the quietest 10 % of 10 ms frames; null for a prompt shorter than one frame.</param>
public sealed record PromptMeasurement(
    long Samples,
    double? ActiveLevelDbov,
    double ActivityFactor,
    double PeakDbov,
    long ClippedRuns,
    double ClippedFraction,
    double DcOffset,
    TimeSpan HeadSilence,
    TimeSpan TailSilence,
    double? NoiseFloorDbov)
{
    public TimeSpan Duration => SampleTime(Samples);

    /// <summary>Whether P.56 finds active speech at all.</summary>
    public bool HasSpeech => ActiveLevelDbov is not null;

    /// <summary>The time of <paramref name="samples"/> at 8000 Hz: 1250 ticks each, so exact.</summary>
    public static TimeSpan SampleTime(long samples) => TimeSpan.FromTicks(samples * (TimeSpan.TicksPerSecond / P56.SampleRate));
}
