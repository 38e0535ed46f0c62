namespace Ccfs.Server.Lifecycle;

/// <summary>What a scrub found: every catalog row checked against the bytes of each copy it lists.</summary>
/// <param name="Repair">Whether bad copies were to be rewritten from a healthy one.</param>
/// <param name="FilesChecked">Stored catalog rows looked at.</param>
/// <param name="CopiesChecked">Copies (row × listed location) looked at.</param>
/// <param name="HealthyCopies">Copies found with the recorded size and SHA-256; repaired copies are not counted here.</param>
/// <param name="ProblemCount">Every problem found, listed or not.</param>
/// <param name="Repaired">Problems repaired and verified.</param>
/// <param name="Remaining">Problems left as found: no repair asked, no healthy copy, or the repair failed.</param>
/// <param name="Problems">The problems, in path order; at most <see cref="Scrubber.MaxListedProblems"/>.</param>
/// <param name="ProblemsNotListed">Problems found beyond that cap (counted and logged, not listed).</param>
public sealed record ScrubReport(
    bool Repair,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    long FilesChecked,
    long CopiesChecked,
    long HealthyCopies,
    long ProblemCount,
    long Repaired,
    long Remaining,
    IReadOnlyList<ScrubProblem> Problems,
    long ProblemsNotListed);

/// <summary>One copy that is not what the catalog says.</summary>
/// <param name="FileName">The name clients know, e.g. <c>Y:/3rdfile/53/thirdvoicebotfile/x.wav</c>.</param>
/// <param name="Kind"><see cref="ScrubProblem.Missing"/> or <see cref="ScrubProblem.Corrupt"/>.</param>
/// <param name="Detail">What was found and, with repair, what became of it.</param>
public sealed record ScrubProblem(string FileName, string LocationId, string Kind, bool Repaired, string Detail)
{
    /// <summary>The catalog lists the copy but the location has no file there.</summary>
    public const string Missing = "missing";

    /// <summary>The file is there but its size or SHA-256 differs from the catalog's, or it cannot be read.</summary>
    public const string Corrupt = "corrupt";
}
