using System.Collections.Concurrent;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// A location on local disk; the folder is the root of the storage drive, so <c>Y:/voice/1/IVRrecordFile/a.wav</c> is
/// <c>{root}/voice/1/IVRrecordFile/a.wav</c>. A write goes to a temporary file under <c>.ccfs-tmp</c> in the same
/// root, is fsynced, renamed into place and its directory fsynced, so a file is either absent or complete, even after
/// a crash. Links inside the root are followed only while they stay inside it. The folder carries a marker,
/// <see cref="MarkerFile"/>, from the first time it is set up; without it nothing is written there (see <see cref="OpenAsync"/>).
/// </summary>
public sealed class DiskFileStore : IFileStore
{
    /// <summary>Interrupted writes live here; no path rule can reach it, and it is emptied at start-up.</summary>
    public const string TemporaryFolder = StoragePath.ReservedPrefix + "-tmp";

    /// <summary>
    /// Written once, when the location is set up. A folder without it is not the location's: most likely the empty mount
    /// point of a disk that is not mounted, where files written would be hidden once the disk is back. Only its presence
    /// counts; it says what it is for an operator who finds it.
    /// </summary>
    public const string MarkerFile = StoragePath.ReservedPrefix + "-location";

    /// <summary>How often a write puts its folders back after an undo of another write removed them under it.</summary>
    private const int PlacementAttempts = 3;

    private readonly string _root;
    private readonly string _temporary;
    private readonly string _marker;
    private readonly ConcurrentDictionary<string, bool> _durableDirectories = new(StringComparer.Ordinal);
    private string? _realRoot;

    private readonly string _instance;

    /// <param name="locationId">The location's id.</param>
    /// <param name="root">The folder that is the root of the location's drive.</param>
    /// <param name="instance">This node instance (<see cref="Catalog.NodeIdentity.Instance"/>): it prefixes the temporary
    /// files written here, so a sweep removes only those of instances that are gone.</param>
    public DiskFileStore(string locationId, string root, string instance = "local")
    {
        LocationId = locationId;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _temporary = Path.Combine(_root, TemporaryFolder);
        _marker = Path.Combine(_root, MarkerFile);
        _instance = instance;
    }

    /// <summary>This node has seen the marker (or written it): from then on a folder without it is always refused.</summary>
    private volatile bool _opened;

    /// <summary>Why <see cref="OpenAsync"/> last refused the folder, for readiness and writes to say; null once it is back.</summary>
    private volatile string? _refusal;

    public string LocationId { get; }

    public TimeSpan LateWriteWindow => TimeSpan.Zero;

    public string Root => _root;

    /// <summary>What listings of this location read ahead, and how often they read a folder.</summary>
    internal ListingReadAhead ReadAhead { get; init; } = new();

    /// <summary>The host's mount tables, read before a new location's folder is set up.</summary>
    internal MountTables Mounts { get; init; } = MountTables.Host;

    /// <summary>The root with every link resolved, as the kernel reports an opened file's path; known once it exists.</summary>
    private string RealRoot => _realRoot ??= RegularFile.RealPath(_root);

    /// <summary>Writes and fsyncs on the calling thread, as file I/O on Linux blocks anyway; <see cref="LocationSet"/> spreads pools.</summary>
    public Task<IStagedFile> StageAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IStagedFile>(new StagedFile(this, WriteTemporary(content.Span)));
    }

    public Task ReplaceAsync(StoragePath path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var temporary = WriteTemporary(content.Span);
        try
        {
            PlaceTemporary(temporary, path, replace: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }, cancellationToken);

    public async Task UndoWriteAsync(WrittenCopy copy, CancellationToken cancellationToken)
    {
        await DeleteAsync(copy.Path, cancellationToken);
        RemoveEmptyFolders([.. copy.CreatedFolders.Select(f => Path.Join(_root, f))]);
    }

    public Task<Stream?> OpenReadAsync(StoragePath path, CancellationToken cancellationToken) =>
        Task.FromResult(OpenResolved(Resolve(path), path.Value));

    /// <summary>
    /// Opens a path <see cref="Resolve"/> found inside the root. A link may have been swapped in since, so what was
    /// actually opened is what must lie inside the root.
    /// </summary>
    internal Stream? OpenResolved(string full, string path)
    {
        var stream = RegularFile.OpenRead(full, out var opened);
        if (stream is not null && opened is not null && !opened.StartsWith(RealRoot + "/", StringComparison.Ordinal))
        {
            stream.Dispose();
            throw new OutsideRootException(path);
        }

        return stream;
    }

    public Task<IReadOnlyList<string>?> ListFilesAsync(StoragePath folder, CancellationToken cancellationToken)
    {
        var full = Resolve(folder);
        if (!Directory.Exists(full))
        {
            return Task.FromResult<IReadOnlyList<string>?>(null);
        }

        IReadOnlyList<string> names = [.. Directory.EnumerateFiles(full).Select(f => Path.GetFileName(f)).Where(n => !n.StartsWith('.'))
            .Order(StringComparer.Ordinal)];
        return Task.FromResult<IReadOnlyList<string>?>(names);
    }

    /// <summary>Opens the folder as <see cref="ListTreeAsync"/> does: a link on its way is refused, not followed.</summary>
    public Task<IReadOnlyList<string>> ListFoldersAsync(StoragePath? folder, CancellationToken cancellationToken)
    {
        using var open = folder is { } path ? TreeFolder.Open(_root, path.Value, path.Value) : TreeFolder.Open(_root, ".", "/");
        IReadOnlyList<string> names = open is null
            ? []
            : [.. open.Entries().Where(e => e.IsFolder && !e.Name.StartsWith('.')).Select(e => e.Name).Order(StringComparer.Ordinal)];
        return Task.FromResult(names);
    }

    /// <summary>
    /// Walks the folder as <see cref="FolderTree"/> says, on the calling thread like every other read here. The folder
    /// itself is not resolved either: a link on its way, even one that stays inside the root, would list another
    /// folder's files (another VDN's) under this one's names, so it is refused.
    /// </summary>
    public Task<FileTreePage> ListTreeAsync(StoragePath folder, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var top = TreeFolder.Open(_root, folder.Value, folder.Value);
        return Task.FromResult(top is null ? new FileTreePage([], null) : new FolderTree(folder, after, limit, ReadAhead, cancellationToken).List(top));
    }

    /// <summary>The file as <see cref="ListTreeAsync"/> would list it: a link on its way is refused, and the file itself, if a link, is none.</summary>
    public Task<StoredFile?> StatAsync(StoragePath path, CancellationToken cancellationToken)
    {
        var cut = path.Value.LastIndexOf('/');
        using var open = TreeFolder.Open(_root, cut < 0 ? "." : path.Value[..cut], path.Value);
        return Task.FromResult(open?.Stat(path.Value[(cut + 1)..]) is { } stat ? new StoredFile(path, stat.Size, stat.Modified) : null);
    }

    // A delete or a look on a folder without its marker would report the empty mount point of a missing disk: the catalog
    // would forget copies still on the disk, or recovery undo an upload whose copy is there.
    public Task<bool> DeleteAsync(StoragePath path, CancellationToken cancellationToken)
    {
        RequireMarker();
        return Task.FromResult(DeleteResolved(Resolve(path, followFinalLink: false), path.Value));
    }

    /// <summary>Resolves the path as <see cref="DeleteAsync"/> does: a link on its way that leads out of the root is refused.</summary>
    public Task CheckDeletableAsync(StoragePath path, CancellationToken cancellationToken)
    {
        _ = Resolve(path, followFinalLink: false);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Removes a path <see cref="Resolve"/> found inside the root. Deleting a name removes that entry: a link inside
    /// the root goes, not the file it points at; and a folder swapped for a link since is not followed.
    /// </summary>
    internal bool DeleteResolved(string full, string path)
    {
        if (OperatingSystem.IsLinux())
        {
            return LinkFreeFolder.Remove(_root, Relative(full), path);
        }

        if (!File.Exists(full))
        {
            return false;
        }

        File.Delete(full);
        DirectorySync.Flush(Path.GetDirectoryName(full)!);
        return true;
    }

    public Task<bool> ExistsAsync(StoragePath path, CancellationToken cancellationToken)
    {
        RequireMarker();
        return Task.FromResult(File.Exists(Resolve(path)));
    }

    public async Task<LocationOpening> OpenAsync(Func<CancellationToken, Task<bool>> holdsCopies, CancellationToken cancellationToken)
    {
        if (File.Exists(_marker))
        {
            // The marker proves the folder is the location's, so .ccfs-tmp (ours alone) may be made again.
            CreateFolder(_temporary);
            _opened = true;
            _refusal = null;
            return LocationOpening.Known;
        }

        if (_opened)
        {
            throw Missing(_refusal = "it was there before");
        }

        // Earlier releases wrote no marker; their folders hold .ccfs-tmp at least. An empty folder is new unless the
        // catalog lists copies in it: then it is a mount point whose disk is missing.
        var used = Directory.Exists(_root) && Directory.EnumerateFileSystemEntries(_root).Any();
        if (!used && await holdsCopies(cancellationToken))
        {
            throw Missing(_refusal = "the folder is empty, while the catalog lists files stored there");
        }

        if (!used && Mounts.UnmountedAbove(_root) is { } unmounted)
        {
            // A new deployment whose disk is not mounted yet: the catalog lists nothing there to tell it is missing.
            throw Missing(_refusal = $"{unmounted} is in {Mounts.FstabPath} but not mounted, and a new location is not set up on "
                + "the file system under its mount point");
        }

        CreateFolder(_root);
        CreateFolder(_temporary);
        using (var marker = new FileStream(_marker, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None))
        {
            marker.SetLength(0);
            marker.Write(System.Text.Encoding.UTF8.GetBytes($"ccfs location {LocationId}, set up {DateTimeOffset.UtcNow:O}. Files are "
                + "written here only while this file exists: see docs/failure-behaviour.md, \"A disk location's folder is missing\".\n"));
            marker.Flush(flushToDisk: true);
        }

        DirectorySync.Flush(_root);
        _opened = true;
        _refusal = null;
        return used ? LocationOpening.Adopted : LocationOpening.Created;
    }

    /// <summary>Creates a folder that may be missing, durably.</summary>
    private static void CreateFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            DirectorySync.Flush(Path.GetDirectoryName(folder)!);
        }
    }

    /// <summary>Throws if the folder has no marker: nothing is written or swept there then.</summary>
    private void RequireMarker()
    {
        if (!File.Exists(_marker))
        {
            throw Missing(_refusal ?? (_opened ? "it was there before" : "the location is not set up yet"));
        }
    }

    private LocationMissingException Missing(string why) => new($"location {LocationId}: {_root} has no {MarkerFile} ({why}): "
        + "is its disk unmounted, or the folder replaced? Nothing is written there meanwhile. Remount the disk; or, to take "
        + $"the folder as it is, create the file {_marker} (files the catalog lists there are then missing: "
        + "POST /admin/api/scrub finds them, and in CTI pool mode copies them back from another location)");

    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        RequireMarker();
        if (!Directory.Exists(_temporary))
        {
            throw new IOException($"location {LocationId}: '{_temporary}' does not exist");
        }

        // Named like a temporary file of this instance, so even a probe a crash leaves behind is swept.
        var probe = Path.Combine(_temporary, $"{_instance}-probe-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
        }
        finally
        {
            // On a full disk the write fails after the file was created: it goes all the same.
            DeleteQuietly(probe);
        }
    }

    public Task<int> ClearAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var entry in new DirectoryInfo(_root).EnumerateFileSystemInfos())
        {
            if (entry.Name.StartsWith(StoragePath.ReservedPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            // A link is removed as a name; Directory.Delete does not follow links below the folder it deletes.
            if (entry is DirectoryInfo { LinkTarget: null } folder)
            {
                removed += folder.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Count();
                folder.Delete(recursive: true);
            }
            else
            {
                removed++;
                entry.Delete();
            }
        }

        DirectorySync.Flush(_root);
        return Task.FromResult(removed);
    }

    public Task SweepTemporaryFilesAsync(IReadOnlySet<string> liveInstances, CancellationToken cancellationToken)
    {
        // Never creates the folders: a location whose disk is gone would be written on the file system under its mount point.
        RequireMarker();
        foreach (var file in Directory.EnumerateFiles(_temporary))
        {
            var name = Path.GetFileName(file);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || !liveInstances.Contains(name[..dash]))
            {
                File.Delete(file);
            }
        }

        DirectorySync.Flush(_temporary);
        DirectorySync.Flush(_root);
        _durableDirectories[_root] = true;
        return Task.CompletedTask;
    }

    /// <summary>Writes <paramref name="content"/> to a new temporary file of this instance and fsyncs it; its full path.</summary>
    private string WriteTemporary(ReadOnlySpan<byte> content)
    {
        RequireMarker();
        var temporary = Path.Combine(_temporary, $"{_instance}-{Guid.NewGuid():N}.tmp");
        try
        {
            using var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None,
                preallocationSize: content.Length);
            RandomAccess.Write(handle, content, 0);
            RandomAccess.FlushToDisk(handle);
            return temporary;
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>
    /// Gives a finished temporary file its name, creating (durably) the folders on the way: a new file only if the name
    /// is free, or, with <paramref name="replace"/>, in place of what has the name.
    /// </summary>
    private WrittenCopy PlaceTemporary(string temporary, StoragePath path, bool replace)
    {
        var target = Resolve(path);
        var directory = Path.GetDirectoryName(target)!;
        var created = new List<string>();
        var placed = false;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    EnsureDurableDirectory(directory, created);

                    // rename(2) replaces the target in one step, so even a replaced file is never seen half-written;
                    // a new file is linked, which refuses a name that exists even when two writers race for it.
                    Place(temporary, target, path.Value, replace);
                    placed = !replace;
                    break;
                }
                catch (IOException) when (attempt < PlacementAttempts && !Directory.Exists(directory))
                {
                    // Undoing another write to this folder removed it, still empty, after we made sure of it.
                    ForgetDirectories(directory);
                }
            }

            if (!OperatingSystem.IsLinux())
            {
                DirectorySync.Flush(directory);
            }

            return new WrittenCopy(path, [.. created.Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))]);
        }
        catch
        {
            // A new file already under its name when a later step failed goes again, or nothing would ever remove it:
            // the caller undoes only writes that succeeded. (A replaced file cannot be put back, and stays replaced.)
            if (placed)
            {
                DeleteQuietly(target);
            }

            RemoveEmptyFolders(created);
            throw;
        }
    }

    /// <summary>A temporary file written and fsynced; disposing it removes the temporary name.</summary>
    private sealed class StagedFile(DiskFileStore store, string temporary) : IStagedFile
    {
        public Task<WrittenCopy> PlaceAsync(StoragePath path, CancellationToken cancellationToken) =>
            Task.FromResult(store.PlaceTemporary(temporary, path, replace: false));

        public ValueTask DisposeAsync()
        {
            // The placed file is a second link to the same bytes; only the temporary name goes.
            DeleteQuietly(temporary);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Creates missing folders one level at a time, fsyncing each parent, so the path to a file is as durable as the
    /// file; the folders this call created are added to <paramref name="created"/>, outermost first.
    /// </summary>
    private void EnsureDurableDirectory(string directory, List<string> created)
    {
        if (_durableDirectories.ContainsKey(directory) || directory.Length <= _root.Length)
        {
            return;
        }

        var parent = Path.GetDirectoryName(directory)!;
        EnsureDurableDirectory(parent, created);
        if (NewFolder.TryCreate(directory))
        {
            created.Add(directory);
        }

        DirectorySync.Flush(parent);
        _durableDirectories[directory] = true;
    }

    /// <summary>Removes folders (outermost first in the list) from the deepest, stopping at the first that is not empty.</summary>
    private void RemoveEmptyFolders(IReadOnlyList<string> folders)
    {
        // Forgotten before any is removed, so a write that starts meanwhile creates and fsyncs them again.
        foreach (var folder in folders)
        {
            _durableDirectories.TryRemove(folder, out _);
        }

        // An empty folder that comes back after a crash is harmless, so the removals are not fsynced.
        for (var i = folders.Count - 1; i >= 0; i--)
        {
            try
            {
                Directory.Delete(folders[i], recursive: false);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not empty (another write's file is in it) or not ours to remove: it and every folder above it stay.
                return;
            }
        }
    }

    /// <summary>
    /// Puts the finished temporary file at <paramref name="target"/>; on Linux through the folder opened without
    /// following links (and fsynced), so a folder swapped for a link since <see cref="Resolve"/> is refused.
    /// </summary>
    internal void Place(string temporary, string target, string path, bool replace)
    {
        if (OperatingSystem.IsLinux())
        {
            if (replace)
            {
                LinkFreeFolder.Replace(_root, Relative(target), temporary, path);
            }
            else if (!LinkFreeFolder.TryLink(_root, Relative(target), temporary, path))
            {
                throw new FileAlreadyExistsException(path);
            }

            return;
        }

        if (replace)
        {
            File.Move(temporary, target, overwrite: true);
        }
        else if (!NewFile.TryLink(temporary, target))
        {
            throw new FileAlreadyExistsException(path);
        }
    }

    private string Relative(string full) => Path.GetRelativePath(_root, full).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Best effort, inside a failure already being reported; if even this fails, the file stays with no catalog row.</summary>
    private static void DeleteQuietly(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Drops a folder and its parents from the cache of folders known to exist durably.</summary>
    private void ForgetDirectories(string directory)
    {
        for (var folder = directory; folder.Length > _root.Length; folder = Path.GetDirectoryName(folder)!)
        {
            _durableDirectories.TryRemove(folder, out _);
        }
    }

    /// <summary>
    /// Maps a path into the root. Its segments were checked when it was made (<see cref="StoragePath"/>); each existing
    /// component is looked at: a link is followed only if its target lies inside the root (and the walk restarts there),
    /// otherwise the path is refused. With <paramref name="followFinalLink"/> false, a final link (inside the root) is
    /// returned itself.
    /// </summary>
    private string Resolve(StoragePath storagePath, bool followFinalLink = true)
    {
        var path = storagePath.Value;
        const int maxLinks = 40;
        var remaining = new Queue<string>(path.Split('/'));
        var current = _root;
        for (var links = 0; remaining.Count > 0;)
        {
            var next = Path.Join(current, remaining.Dequeue());
            if (new FileInfo(next).LinkTarget is null)
            {
                current = next;
                continue;
            }

            var target = File.ResolveLinkTarget(next, returnFinalTarget: true)?.FullName;
            if (++links > maxLinks || target is null || !IsInsideRoot(target))
            {
                throw new OutsideRootException(path);
            }

            if (remaining.Count == 0 && !followFinalLink)
            {
                return next;
            }

            // Walk the target's own components too: a link may point at a path that passes through another link.
            foreach (var segment in remaining)
            {
                target = Path.Join(target, segment);
            }

            remaining = new Queue<string>(Path.GetRelativePath(_root, target).Split(Path.DirectorySeparatorChar));
            current = _root;
        }

        return current;
    }

    private bool IsInsideRoot(string fullPath) =>
        fullPath.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
