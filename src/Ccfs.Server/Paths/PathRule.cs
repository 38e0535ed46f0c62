using System.Globalization;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Paths;

/// <summary>
/// A CC-FS path rule such as <c>/3rdfile/%VDNNO%/thirdvoicebotfile/</c> (spec §5). <c>%VDNNO%</c> is the only token;
/// it must fill a whole segment and appear at most once, so the VDN of a path can be read back from it. Every other
/// segment obeys the <see cref="LogicalPath"/> rules, so the paths a rule makes can be named by clients again.
/// </summary>
public sealed class PathRule
{
    public const string VdnToken = "%VDNNO%";

    /// <summary>The longest folder a rule may give (with a ten-digit VDN): a file name of the longest length still fits.</summary>
    public const int MaxFolderLength = LogicalPath.MaxLength - LogicalPath.MaxSegmentLength - 3; // 3: "Y:" and the "/" before the name

    private readonly string[] _segments;

    private PathRule(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
    }

    /// <summary>The rule as configured.</summary>
    public string Text { get; }

    public bool HasVdnToken => _segments.Contains(VdnToken, StringComparer.Ordinal);

    public static bool TryParse(string? text, out PathRule? rule, out string error)
    {
        rule = null;
        if (string.IsNullOrWhiteSpace(text) || text[0] != '/')
        {
            error = $"path rule '{text}' must start with '/'";
            return false;
        }

        var segments = text.TrimEnd('/').Split('/')[1..];
        foreach (var segment in segments)
        {
            if (SegmentProblem(segment) is { } problem)
            {
                error = $"path rule '{text}' {problem}";
                return false;
            }
        }

        if (segments.Count(s => s == VdnToken) > 1)
        {
            error = $"path rule '{text}' has {VdnToken} more than once; one segment names the VDN";
            return false;
        }

        rule = new PathRule(text, segments);
        if (rule.FolderFor(int.MaxValue).Length > MaxFolderLength)
        {
            rule = null;
            error = $"path rule '{text}' is too long: with a ten-digit VDN its folder is over {MaxFolderLength} characters, "
                + $"leaving no room for a file name within the {LogicalPath.MaxLength}-character path limit";
            return false;
        }

        error = "";
        return true;
    }

    private static string? SegmentProblem(string segment)
    {
        if (segment == VdnToken)
        {
            return null;
        }

        var percent = segment.IndexOf('%', StringComparison.Ordinal);
        if (percent >= 0)
        {
            var end = segment.IndexOf('%', percent + 1);
            var token = end > percent ? segment[percent..(end + 1)] : segment[percent..];
            return token == VdnToken
                ? $"has {VdnToken} inside a segment; it must be a whole segment"
                : $"has the unknown token '{token}'; only {VdnToken} is supported";
        }

        if (segment.StartsWith(StoragePath.ReservedPrefix, StringComparison.Ordinal))
        {
            return $"has a folder starting with {StoragePath.ReservedPrefix}, which is reserved for the server";
        }

        return LogicalPath.SegmentProblem(segment);
    }

    /// <summary>How many path segments the rule's folder has.</summary>
    public int SegmentCount => _segments.Length;

    /// <summary>
    /// True when <paramref name="segments"/> begin with this rule's folder, the VDN token matching a VDN number
    /// (compared case-sensitively, segment by segment).
    /// </summary>
    public bool TryMatchPrefix(IReadOnlyList<string> segments, out int vdnId)
    {
        vdnId = 0;
        if (segments.Count < _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            if (_segments[i] == VdnToken ? !VdnId.TryParse(segments[i], out vdnId) : !string.Equals(_segments[i], segments[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a folder this rule gives one VDN (<paramref name="vdn"/>, or any when null) and a folder
    /// <paramref name="other"/> gives a different VDN (<paramref name="otherVdn"/>, or any) can be the same folder or one
    /// inside the other: then one VDN's files would lie in another's folder, to its downloads and its retention.
    /// </summary>
    public bool CanNestWith(int? vdn, PathRule other, int? otherVdn)
    {
        var sameVdn = false;
        for (var i = 0; i < Math.Min(_segments.Length, other._segments.Length); i++)
        {
            var (mine, theirs) = (_segments[i], other._segments[i]);
            if (mine == VdnToken && theirs == VdnToken)
            {
                // Both folders name their VDN here: nested, they are one VDN's.
                sameVdn = true;
            }
            else if (mine == VdnToken || theirs == VdnToken)
            {
                var literal = mine == VdnToken ? theirs : mine;
                ref var named = ref mine == VdnToken ? ref vdn : ref otherVdn;
                if (!VdnId.TryParse(literal, out var number) || (named is { } fixedVdn && fixedVdn != number))
                {
                    return false;
                }

                named = number;
            }
            else if (!string.Equals(mine, theirs, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return !sameVdn && !(vdn is { } a && otherVdn is { } b && a == b);
    }

    /// <summary>
    /// The folder holding every VDN's folder of this rule, e.g. <c>/voice</c> for <c>/voice/%VDNNO%/IVRrecordFile</c>;
    /// <c>/</c> when the VDN is the rule's first segment (its folders are in the root); null when the rule names no VDN.
    /// </summary>
    public string? FolderAboveVdns => Array.IndexOf(_segments, VdnToken) switch
    {
        < 0 => null,
        0 => "/",
        var at => "/" + string.Join('/', _segments[..at]),
    };

    /// <summary>The folder for a VDN, with a leading '/' and no trailing one, e.g. <c>/3rdfile/53/thirdvoicebotfile</c>.</summary>
    public string FolderFor(int vdnId)
    {
        var vdn = vdnId.ToString(CultureInfo.InvariantCulture);
        return "/" + string.Join('/', _segments.Select(s => s == VdnToken ? vdn : s));
    }

    public override string ToString() => Text;
}
