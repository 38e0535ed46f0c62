using System.IO.Enumeration;
using Ccfs.Server.Paths;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// One page of <see cref="IFileStore.ListTreeAsync"/> on disk: a depth-first walk in ordinal order of the paths below
/// the listed folder, a folder sorting as its name and '/' (as an S3 key does), so <c>a.wav</c> comes before
/// <c>a/b.wav</c>. Each folder is read for the smallest entries the page still has room for, never whole, so memory
/// stays within the page size however many files a folder holds; <c>after</c> is the path (below the listed folder) of
/// the last file of the page before.
/// </summary>
internal sealed class FolderTree(StoragePath folder, string? after, int limit, CancellationToken cancellationToken)
{
    private readonly List<StoredFile> _files = [];

    public FileTreePage List(TreeFolder top) =>
        Visit(top, folder, "", 0) ? new FileTreePage(_files, _files[^1].Path.Value[(folder.Value.Length + 1)..]) : new FileTreePage(_files, null);

    /// <summary>Adds the files of <paramref name="open"/> and below; true when the page filled up.</summary>
    private bool Visit(TreeFolder open, StoragePath path, string prefix, int depth)
    {
        string? done = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var room = limit - _files.Count;
            var next = Smallest(open, prefix, done, room);
            foreach (var key in next)
            {
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
                        return true;
                    }
                }
            }

            if (next.Count < room)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The <paramref name="room"/> smallest keys of the folder (a folder's with its '/') after <paramref name="done"/>
    /// that may hold something after <c>after</c>, hidden names left out.
    /// </summary>
    private SortedSet<string> Smallest(TreeFolder open, string prefix, string? done, int room)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
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

            keys.Add(key);
            if (keys.Count > room)
            {
                keys.Remove(keys.Max!);
            }
        }

        return keys;
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
