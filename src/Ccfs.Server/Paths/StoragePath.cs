namespace Ccfs.Server.Paths;

/// <summary>
/// A path below a location root, such as <c>3rdfile/53/thirdvoicebotfile/x.wav</c>: '/'-separated segments that each
/// passed <see cref="LogicalPath.SegmentProblem"/>, the first of them never a folder the server keeps for itself
/// (<c>.ccfs…</c>). Only the path rules make one (<see cref="LogicalPath.StoragePath"/>, <see cref="FromCatalogKey"/>,
/// <see cref="Child"/>), so a store can take it as checked and the segment rule lives in one place.
/// </summary>
public readonly record struct StoragePath
{
    /// <summary>The prefix of the folders a location keeps for the server (temporary files, probes), never a client's.</summary>
    public const string ReservedPrefix = ".ccfs";

    /// <summary>The longest path: a file name (<c>Y:/</c> and the path) is at most <see cref="LogicalPath.MaxLength"/>.</summary>
    public const int MaxLength = LogicalPath.MaxLength - 3;

    private StoragePath(string value) => Value = value;

    /// <summary>The path, e.g. <c>3rdfile/53/thirdvoicebotfile/x.wav</c>.</summary>
    public string Value { get; }

    /// <summary>The catalog's key for the same file: '/' and the path.</summary>
    public string CatalogKey => "/" + Value;

    /// <summary>The path of a catalog key (<c>/3rdfile/53/…/x.wav</c>), which the path rules made when the file was stored.</summary>
    /// <exception cref="ArgumentException">The key is not one the path rules could have made.</exception>
    public static StoragePath FromCatalogKey(string key)
    {
        string? problem = "it must start with '/'";
        return key.StartsWith('/') && TryCreate(key[1..].Split('/'), out var path, out problem)
            ? path
            : throw new ArgumentException($"'{key}' is not a catalog key: {problem}", nameof(key));
    }

    /// <summary>
    /// A file or folder named <paramref name="name"/> directly in this folder, if the name passes the segment rule and
    /// the path stays within <see cref="MaxLength"/>.
    /// </summary>
    public bool TryChild(string name, out StoragePath child)
    {
        child = LogicalPath.SegmentProblem(name) is null && Value.Length + 1 + name.Length <= MaxLength ? new StoragePath(Value + "/" + name) : default;
        return child.Value is not null;
    }

    /// <inheritdoc cref="TryChild"/>
    /// <exception cref="ArgumentException">The name breaks the segment rule.</exception>
    public StoragePath Child(string name) =>
        TryChild(name, out var child) ? child : throw new ArgumentException($"'{name}' is not a file name a path may hold", nameof(name));

    /// <summary>The path of <paramref name="segments"/>, each checked; false with the problem when one breaks the rule.</summary>
    internal static bool TryCreate(IReadOnlyList<string> segments, out StoragePath path, out string? problem)
    {
        path = default;
        if (segments.Count == 0)
        {
            problem = "it has no segment";
            return false;
        }

        if (segments[0].StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            problem = $"its first folder starts with {ReservedPrefix}, which is reserved for the server";
            return false;
        }

        foreach (var segment in segments)
        {
            if (LogicalPath.SegmentProblem(segment) is { } found)
            {
                problem = found;
                return false;
            }
        }

        var value = string.Join('/', segments);
        if (value.Length > MaxLength)
        {
            problem = $"the path is {value.Length} characters, at most {MaxLength} are allowed";
            return false;
        }

        path = new StoragePath(value);
        problem = null;
        return true;
    }

    public override string ToString() => Value;
}
