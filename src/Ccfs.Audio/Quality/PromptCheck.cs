namespace Ccfs.Audio.Quality;

public enum PromptCheckOutcome
{
    Pass,
    Fail,

    /// <summary>The check needs speech and the prompt is silent (the <c>silent</c> check fails instead).</summary>
    NotApplicable,
}

/// <summary>
/// One check's verdict on a prompt, with the finding in words (for example "active speech level -31.2 dBov, 5.2 dB below
/// -26 +/- 6 dB"), in ASCII so that a server can put it in a response header.
/// </summary>
/// <param name="Name">One of <see cref="PromptCheckNames"/>.</param>
public readonly record struct PromptCheck(string Name, PromptCheckOutcome Outcome, string Finding)
{
    public bool Failed => Outcome == PromptCheckOutcome.Fail;
}

/// <summary>The checks' names: stable, as the server, its metrics and the JSON of <c>ccfs check</c> use them.</summary>
public static class PromptCheckNames
{
    public const string Level = "level";
    public const string Clipping = "clipping";
    public const string Dc = "dc";
    public const string HeadSilence = "head-silence";
    public const string TailSilence = "tail-silence";
    public const string Silent = "silent";

    /// <summary>Every check, in the order a report lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Silent, Level, Clipping, Dc, HeadSilence, TailSilence];
}
