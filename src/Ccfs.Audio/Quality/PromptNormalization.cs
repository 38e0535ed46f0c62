namespace Ccfs.Audio.Quality;

/// <summary>What bringing a prompt to a level did: the measurements before and after, the gain and the silence cut.</summary>
/// <remarks>The gain applies after the DC offset <see cref="Before"/> shows was taken out.</remarks>
/// <param name="Before">The converted prompt as it was.</param>
/// <param name="After">The prompt as written.</param>
/// <param name="GainDb">The gain applied, before the limiter.</param>
/// <param name="HeadTrimmed">Silence cut from the start.</param>
/// <param name="TailTrimmed">Silence cut from the end.</param>
/// <param name="LimitedSamples">Samples the gain would have taken past the limiter's ceiling.</param>
public sealed record PromptNormalization(
    PromptMeasurement Before,
    PromptMeasurement After,
    double GainDb,
    TimeSpan HeadTrimmed,
    TimeSpan TailTrimmed,
    int LimitedSamples);
