using System.IO.Enumeration;
using Ccfs.Server.Paths;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// One page of <see cref="IFileStore.ListTreeAsync"/> on disk: a depth-first walk in ordinal order of the paths below
/// the listed folder, a folder sorting as its name and '/' (as an S3 key does), so <c>a.wav</c> comes before
/// <c>a/b.wav</c>. Each read of a folder keeps at most the <see cref="ListingReadAhead.Capacity"/> smallest entries
/// still to list, never the whole folder, so memory stays bounded however many files a folder holds; what the page had
/// no room for is left to the next page in <paramref name="readAhead"/>. <c>after</c> is the path (below the listed
/// folder) of the last file of the page before.
/// </summary>
internal sealed class FolderTree(StoragePath folder, string? after, int limit, ListingReadAhead readAhead, CancellationToken cancellationToken)
{
    private readonly List<StoredFile> _files = [];

    public FileTreePage List(TreeFolder top) =>
        Visit(top, folder, "", 0) ? new FileTreePage(_files, Next) : new FileTreePage(_files, null);

    private string Next => _files[^1].Path.Value[(folder.Value.Length + 1)..];

    /// <summary>Adds the files of <paramref name="open"/> and below; true when the page filled up.</summary>
    private bool Visit(TreeFolder open, StoragePath path, string prefix, int depth)
    {
        string? done = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (next, complete) = (done is null && after is not null ? readAhead.Take(folder.Value, prefix, after) : null)
                ?? Smallest(open, prefix, done, limit - _files.Count);
            for (var i = 0; i < next.Count; i++)
            {
                var key = next[i];
                done = key;
                var name = key.TrimEnd('/');
                if (!path.TryChild(name, out var child))
                {
                    continue;
                }

                if (key.EndsWith('/'))
                {
                    if (depth == FileTreePage.MaxDepth)
                    {
                        continue;
                    }

                    using var sub = open.Child(name);
                    if (sub is not null && Visit(sub, child, prefix + key, depth + 1))
                    {
                        return true;
                    }
                }
                else if (open.Stat(name) is { } stat)
                {
                    _files.Add(new StoredFile(child, stat.Size, stat.Modified));
                    if (_files.Count == limit)
                    {
                        if (i + 1 < next.Count || !complete)
                        {
                            readAhead.Keep(folder.Value, prefix, Next, next[(i + 1)..], complete);
                        }

                        return true;
                    }
                }
            }

            if (complete)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The smallest keys of the folder (a folder's with its '/') after <paramref name="done"/> that may hold something
    /// after <c>after</c>, hidden names left out, in order: at least <paramref name="room"/> of them, and up to
    /// <see cref="ListingReadAhead.Capacity"/>. Complete when the folder holds no more.
    /// </summary>
    private (ArraySegment<string> Keys, bool Complete) Smallest(TreeFolder open, string prefix, string? done, int room)
    {
        readAhead.CountRead();
        var capacity = Math.Max(room, readAhead.Capacity);
        var keys = new List<string>();
        string? largestKept = null;
        var dropped = false;
        foreach (var (name, isFolder) in open.Entries())
        {
            if (name.StartsWith('.'))
            {
                continue;
            }

            var key = isFolder ? name + "/" : name;
            if ((done is not null && string.CompareOrdinal(key, done) <= 0) || !MayFollowAfter(prefix + key, isFolder))
            {
                continue;
            }

            if (largestKept is not null && string.CompareOrdinal(key, largestKept) > 0)
            {
                dropped = true;
                continue;
            }

            keys.Add(key);
            if (keys.Count == 2 * capacity)
            {
                // Sorting now and then keeps the work near one pass: only names below the largest kept are added after.
                keys.Sort(StringComparer.Ordinal);
                keys.RemoveRange(capacity, capacity);
                largestKept = keys[^1];
                dropped = true;
            }
        }

        keys.Sort(StringComparer.Ordinal);
        if (keys.Count > capacity)
        {
            keys.RemoveRange(capacity, keys.Count - capacity);
            dropped = true;
        }

        return (new ArraySegment<string>([.. keys]), !dropped);
    }

    /// <summary>Whether the file, or something in the folder, at <paramref name="relative"/> sorts after <c>after</c>.</summary>
    private bool MayFollowAfter(string relative, bool isFolder) =>
        after is null || string.CompareOrdinal(relative, after) > 0 || (isFolder && after.StartsWith(relative, StringComparison.Ordinal));
}

/// <summary>
/// A folder a walk has open. On Linux it is a descriptor opened without following a link, read through
/// <c>/proc/self/fd</c>, and its entries are looked at relative to it, so a folder swapped for a link meanwhile cannot
/// lead the walk out of the root; elsewhere, its path, with links skipped as they are met.
/// </summary>
internal sealed class TreeFolder : IDisposable
{
    private readonly int _descriptor;
    private readonly string _path;

    private TreeFolder(int descriptor, string path)
    {
        _descriptor = descriptor;
        _path = path;
    }

    /// <summary>The folder <paramref name="relative"/> below <paramref name="root"/>, or null if it does not exist.</summary>
    /// <exception cref="OutsideRootException">A folder on the way is a link, wherever it leads.</exception>
    public static TreeFolder? Open(string root, string relative, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            var full = root;
            foreach (var name in relative.Split('/'))
            {
                full = Path.Join(full, name);
                if (new DirectoryInfo(full).LinkTarget is not null)
                {
                    throw new OutsideRootException(path);
                }
            }

            return Directory.Exists(full) ? new TreeFolder(-1, full) : null;
        }

        var descriptor = LinkFreeFolder.OpenFolder(root, relative.Split('/'), path);
        return descriptor < 0 ? null : new TreeFolder(descriptor, $"/proc/self/fd/{descriptor}");
    }

    /// <summary>Each entry's name, and whether it is a folder (a link, even to a folder, is not).</summary>
    public IEnumerable<(string Name, bool IsFolder)> Entries() =>
        new FileSystemEnumerable<(string, bool)>(_path,
            (ref FileSystemEntry e) => (e.FileName.ToString(), e.IsDirectory && (e.Attributes & FileAttributes.ReparsePoint) == 0),
            new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true });

    /// <summary>The folder <paramref name="name"/> in this one; null if it is a link, no folder (any more), or unreadable.</summary>
    public TreeFolder? Child(string name)
    {
        if (_descriptor < 0)
        {
            var full = Path.Join(_path, name);
            return new DirectoryInfo(full) is { Exists: true, LinkTarget: null } ? new TreeFolder(-1, full) : null;
        }

        var child = LinkFreeFolder.OpenChildFolder(_descriptor, name);
        return child < 0 ? null : new TreeFolder(child, $"/proc/self/fd/{child}");
    }

    /// <summary>The size and mtime of the regular file <paramref name="name"/> in this folder; null if it is anything else or gone.</summary>
    public (long Size, DateTimeOffset Modified)? Stat(string name)
    {
        if (_descriptor < 0)
        {
            var file = new FileInfo(Path.Join(_path, name));
            return file is { Exists: true, LinkTarget: null } ? (file.Length, file.LastWriteTimeUtc) : null;
        }

        return RegularFile.TryStatAt(_descriptor, name, out var size, out var modified) ? (size, modified) : null;
    }

    public void Dispose()
    {
        if (_descriptor >= 0)
        {
            _ = LibC.Close(_descriptor);
        }
    }
}
