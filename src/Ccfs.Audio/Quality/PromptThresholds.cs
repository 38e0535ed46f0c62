namespace Ccfs.Audio.Quality;

/// <summary>
/// Where each prompt check draws its line. A plain record with init properties, so a server can bind it from settings
/// and overlay a VDN's own values. The defaults and their reasons are in docs/prompt-quality.md: −26 dBov is where the
/// ITU-T P.56 reference tool normalises speech, and ±6 dB is the window RFC 7874 quotes from G.169 around its
/// −19 dBm0 nominal.
/// </summary>
public sealed record PromptThresholds
{
    public static PromptThresholds Default { get; } = new();

    /// <summary>The active speech level prompts should have, in dBov.</summary>
    public double TargetLevelDbov { get; init; } = -26;

    /// <summary>How far from the target the level may be, either way, in dB.</summary>
    public double LevelToleranceDb { get; init; } = 6;

    /// <summary>Clipped runs allowed.</summary>
    public long MaxClippedRuns { get; init; }

    /// <summary>The DC offset must stay below this fraction of full scale, either sign.</summary>
    public double MaxDcOffset { get; init; } = 0.01;

    public TimeSpan MaxHeadSilence { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxTailSilence { get; init; } = TimeSpan.FromSeconds(1);
}
