namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// The file systems the host means to mount (<c>/etc/fstab</c>) and those mounted now (<c>/proc/self/mounts</c>), so a
/// new location is not set up on the empty mount point of a disk that is missing: that folder lies on the file system
/// under it, and the files written there would be hidden once the disk is mounted.
/// </summary>
internal sealed record MountTables(string FstabPath, string MountsPath)
{
    public static MountTables Host { get; } = new("/etc/fstab", "/proc/self/mounts");

    /// <summary>A mount point listed in fstab that is <paramref name="folder"/> or a folder above it and is not mounted now; else null.</summary>
    public string? UnmountedAbove(string folder)
    {
        if (!File.Exists(FstabPath) || !File.Exists(MountsPath))
        {
            return null;
        }

        var mounted = MountPoints(MountsPath).ToHashSet(StringComparer.Ordinal);
        return MountPoints(FstabPath)
            .Where(m => m != "/" && (folder == m || folder.StartsWith(m + "/", StringComparison.Ordinal)) && !mounted.Contains(m))
            .OrderBy(m => m.Length)
            .FirstOrDefault();
    }

    /// <summary>The second field of each line that is not a comment, as both files write it (a space as <c>\040</c>).</summary>
    private static IEnumerable<string> MountPoints(string table)
    {
        foreach (var line in File.ReadLines(table))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && !fields[0].StartsWith('#') && fields[1].StartsWith('/'))
            {
                yield return Path.TrimEndingDirectorySeparator(Unescape(fields[1])) is { Length: > 0 } point ? point : "/";
            }
        }
    }

    private static string Unescape(string field) => global::System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})",
        m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
}
