using System.Globalization;

namespace Ccfs.Protocol.Wire;

/// <summary>
/// The one-line prompt-quality findings ccfs answers an upload with in <see cref="HeaderName"/>, and keeps with the file
/// and the audit entry, such as <c>level=-31.2dBov;activity=88%;clipped=0;dc=0.1%;head=0.3s;tail=0.4s;verdict=quiet</c>
/// (grammar in docs/prompt-quality.md). Read here for the admin API, the SDK and the CLI.
/// </summary>
/// <param name="LevelDbov">The active speech level (ITU-T P.56); null when the prompt holds no speech (<c>level=none</c>).</param>
/// <param name="ActivityPercent">The share of the prompt that is active speech.</param>
/// <param name="ClippedRuns">Runs of 3 or more samples at the format's extreme code.</param>
/// <param name="DcPercent">The mean, as a percentage of full scale.</param>
/// <param name="HeadSeconds">Silence before the speech.</param>
/// <param name="TailSeconds">Silence after the speech.</param>
/// <param name="Verdict"><c>pass</c>, or what failed, comma-separated (<c>quiet</c>, <c>loud</c>, <c>clipping</c>, …).</param>
public sealed record PromptCheckLine(double? LevelDbov, double ActivityPercent, long ClippedRuns, double DcPercent, double HeadSeconds,
    double TailSeconds, string Verdict)
{
    public const string HeaderName = "X-Ccfs-Prompt-Check";

    /// <summary>Longer than any line ccfs writes; a longer text is not read.</summary>
    public const int MaxLength = 256;

    public bool Passed => Verdict == "pass";

    /// <summary>What failed, one word each; empty when the prompt passed.</summary>
    public IReadOnlyList<string> Failed => Passed ? [] : Verdict.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Reads a line; null when it is not one (a missing field, a number that does not parse, too long).</summary>
    public static PromptCheckLine? TryParse(string? text)
    {
        if (text is null || text.Length > MaxLength)
        {
            return null;
        }

        string? level = null, activity = null, clipped = null, dc = null, head = null, tail = null, verdict = null;
        foreach (var field in text.Split(';'))
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return null;
            }

            var value = field[(equals + 1)..];
            switch (field[..equals])
            {
                case "level": level = value; break;
                case "activity": activity = value; break;
                case "clipped": clipped = value; break;
                case "dc": dc = value; break;
                case "head": head = value; break;
                case "tail": tail = value; break;
                case "verdict": verdict = value; break;
            }
        }

        double? levelDbov = level == "none" ? null : Number(level, "dBov");
        var parsed = (Activity: Number(activity, "%"), Dc: Number(dc, "%"), Head: Number(head, "s"), Tail: Number(tail, "s"));
        if ((level != "none" && levelDbov is null) || parsed.Activity is not { } activityPercent || parsed.Dc is not { } dcPercent
            || parsed.Head is not { } headSeconds || parsed.Tail is not { } tailSeconds || string.IsNullOrEmpty(verdict)
            || !long.TryParse(clipped, NumberStyles.None, CultureInfo.InvariantCulture, out var clippedRuns))
        {
            return null;
        }

        return new PromptCheckLine(levelDbov, activityPercent, clippedRuns, dcPercent, headSeconds, tailSeconds, verdict);
    }

    private static double? Number(string? text, string unit) =>
        text is not null && text.EndsWith(unit, StringComparison.Ordinal)
        && double.TryParse(text.AsSpan(0, text.Length - unit.Length), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
            CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
