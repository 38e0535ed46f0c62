namespace Ccfs.Audio;

/// <summary>What <see cref="AudioConverter"/> does beyond the format: bring the speech to a level and cut the silence around it.</summary>
public sealed record PromptConversion
{
    /// <summary>The format only: the level and the silence stay as they are.</summary>
    public static PromptConversion FormatOnly { get; } = new();

    /// <summary>
    /// The active speech level (ITU-T P.56) to bring the prompt to, in dBov, after taking out any DC offset; null leaves
    /// the level (and the offset) alone.
    /// </summary>
    public double? NormalizeToDbov { get; init; }

    /// <summary>
    /// With <see cref="NormalizeToDbov"/>: the silence kept before the first and after the last active sample, as the
    /// prompt checks measure them. Longer silence is cut; none is added.
    /// </summary>
    public TimeSpan Pad { get; init; } = TimeSpan.FromSeconds(0.2);

    /// <summary>
    /// The most samples (bytes of A-law) the prompt may have; a conversion that would make more stops with
    /// <see cref="PromptTooLongException"/> as the sample past the bound comes, so a short file at a low rate never makes
    /// the converter hold a huge prompt. Null: no bound.
    /// </summary>
    public long? MaxSamples { get; init; }
}

/// <summary>The converted prompt would have more samples than <see cref="PromptConversion.MaxSamples"/>.</summary>
public sealed class PromptTooLongException(long maxSamples)
    : Exception($"the prompt would be more than {maxSamples} samples after conversion")
{
    public long MaxSamples { get; } = maxSamples;
}
