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
}
