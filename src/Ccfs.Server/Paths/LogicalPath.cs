namespace Ccfs.Server.Paths;

/// <summary>
/// A path as clients write it, <c>Y:/3rdfile/53/thirdvoicebotfile/x.wav</c>, checked lexically: the storage drive
/// letter in either case, '\' read as '/', and segments of plain ASCII with no '.', '..', empty segment, '%' (no
/// encoded separators), NUL or other control character. Whatever passes can only name something below a location root.
/// </summary>
public sealed class LogicalPath
{
    public const int MaxLength = 1024;
    public const int MaxSegmentLength = 255;

    /// <summary>The punctuation a segment may hold besides ASCII letters and digits.</summary>
    private const string SafePunctuation = "-._~()+,;=@!$&' ";

    private LogicalPath(string[] segments) => Segments = segments;

    /// <summary>The segments after the drive, e.g. <c>3rdfile</c>, <c>53</c>, <c>thirdvoicebotfile</c>, <c>x.wav</c>.</summary>
    public IReadOnlyList<string> Segments { get; }

    /// <summary>The catalog key: '/' and the segments, e.g. <c>/3rdfile/53/thirdvoicebotfile/x.wav</c>.</summary>
    public string Path => "/" + string.Join('/', Segments);

    /// <summary>
    /// The path below a location root, e.g. <c>3rdfile/53/thirdvoicebotfile/x.wav</c>. Only for a path the tenancy rules
    /// allowed (<see cref="TenantPaths"/>): those never start with a folder the server reserves.
    /// </summary>
    public StoragePath StoragePath => Paths.StoragePath.TryCreate(Segments, out var path, out var problem)
        ? path
        : throw new InvalidOperationException($"{Path} names no stored file: {problem}");

    public string Name => Segments[^1];

    /// <param name="text">The path as sent.</param>
    /// <param name="driveLetter">The storage drive (upper case).</param>
    /// <param name="path">The checked path.</param>
    /// <param name="reason">Why it was refused.</param>
    public static bool TryParse(string text, char driveLetter, out LogicalPath? path, out string reason)
    {
        path = null;
        if (text.Length > MaxLength)
        {
            reason = $"the path is {text.Length} characters, at most {MaxLength} are allowed";
            return false;
        }

        var normalized = text.Replace('\\', '/');
        if (normalized.Length < 4 || !char.IsAsciiLetter(normalized[0]) || normalized[1] != ':' || normalized[2] != '/')
        {
            reason = $"the path must start with {driveLetter}:/";
            return false;
        }

        if (char.ToUpperInvariant(normalized[0]) != driveLetter)
        {
            reason = $"drive {normalized[0]}: is not the storage drive {driveLetter}:";
            return false;
        }

        // A folder may be written with one trailing '/'.
        var rest = normalized.EndsWith('/') ? normalized[3..^1] : normalized[3..];
        var segments = rest.Split('/');
        foreach (var segment in segments)
        {
            if (SegmentProblem(segment) is { } problem)
            {
                reason = "the path " + problem;
                return false;
            }
        }

        path = new LogicalPath(segments);
        reason = "";
        return true;
    }

    /// <summary>
    /// Why one segment (a folder or file name) cannot be part of a path, phrased to follow "the path", or null when it
    /// can. Path rules check their folders with it too, so every file they place can be named again.
    /// </summary>
    public static string? SegmentProblem(string segment)
    {
        if (segment.Length == 0 || segment is "." or "..")
        {
            return "has an empty, '.' or '..' segment";
        }

        if (segment.Length > MaxSegmentLength)
        {
            return $"has a segment of {segment.Length} characters, at most {MaxSegmentLength} are allowed";
        }

        foreach (var c in segment)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !SafePunctuation.Contains(c, StringComparison.Ordinal))
            {
                return c switch
                {
                    >= ' ' and <= '~' => $"holds '{c}', which is not allowed in a file name",
                    // What JSON's escape of half a surrogate pair reads as (Http/EnvelopeReader).
                    '\uFFFD' => "holds U+FFFD, or an escape of half a surrogate pair (\\uD800-\\uDFFF); names are plain ASCII",
                    _ => $"holds the character U+{(int)c:X4}; names are plain ASCII",
                };
            }
        }

        return null;
    }

    public override string ToString() => Path;
}
