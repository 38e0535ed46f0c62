using Ccfs.Protocol.Wire;

namespace Ccfs.Server.Lifecycle;

/// <summary>A prompt's quality findings (docs/prompt-quality.md): the measured values, the verdict and what failed.</summary>
/// <param name="Line">The findings as the <c>X-Ccfs-Prompt-Check</c> header carried them.</param>
public sealed record PromptCheckView(string Line, double? LevelDbov, double ActivityPercent, long ClippedRuns, double DcPercent,
    double HeadSeconds, double TailSeconds, string Verdict, IReadOnlyList<string> Failed)
{
    public static PromptCheckView? Of(string? line) => PromptCheckLine.TryParse(line) is { } p
        ? new(line!, p.LevelDbov, p.ActivityPercent, p.ClippedRuns, p.DcPercent, p.HeadSeconds, p.TailSeconds, p.Verdict, p.Failed)
        : null;
}
