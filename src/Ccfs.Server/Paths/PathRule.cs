using System.Globalization;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Paths;

/// <summary>
/// A CC-FS path rule such as <c>/3rdfile/%VDNNO%/thirdvoicebotfile/</c> (spec §5). <c>%VDNNO%</c> is the only token
/// and must fill a whole segment, so the VDN of a path can be read back from it.
/// </summary>
public sealed class PathRule
{
    public const string VdnToken = "%VDNNO%";

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
            if (segment.Length == 0 || segment is "." or ".." || segment.Contains('\\', StringComparison.Ordinal)
                || segment.Contains('\0', StringComparison.Ordinal))
            {
                error = $"path rule '{text}' has an empty, '.', '..' or back-slashed segment";
                return false;
            }

            if (segment.StartsWith(".ccfs", StringComparison.Ordinal))
            {
                error = $"path rule '{text}': folders starting with .ccfs are reserved for the server";
                return false;
            }

            var percent = segment.IndexOf('%', StringComparison.Ordinal);
            if (percent >= 0 && segment != VdnToken)
            {
                var end = segment.IndexOf('%', percent + 1);
                var token = end > percent ? segment[percent..(end + 1)] : segment[percent..];
                error = token == VdnToken
                    ? $"path rule '{text}': {VdnToken} must be a whole segment"
                    : $"path rule '{text}' has the unknown token '{token}'; only {VdnToken} is supported";
                return false;
            }
        }

        rule = new PathRule(text, segments);
        error = "";
        return true;
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

    /// <summary>The folder for a VDN, with a leading '/' and no trailing one, e.g. <c>/3rdfile/53/thirdvoicebotfile</c>.</summary>
    public string FolderFor(int vdnId)
    {
        var vdn = vdnId.ToString(CultureInfo.InvariantCulture);
        return "/" + string.Join('/', _segments.Select(s => s == VdnToken ? vdn : s));
    }

    public override string ToString() => Text;
}
