namespace Ccfs.Server.Metadata;

/// <summary>What the catalog knows about a stored file.</summary>
/// <param name="Path">The key: the logical path without its drive letter, e.g. <c>/3rdfile/53/thirdvoicebotfile/x.wav</c>.</param>
/// <param name="FileName">The name the client was given, e.g. <c>Y:/3rdfile/53/thirdvoicebotfile/x.wav</c>.</param>
/// <param name="Locations">The locations holding a copy; empty while the upload is still being written.</param>
public sealed record FileRecord(
    string Path,
    string FileName,
    int VdnId,
    long SizeBytes,
    string Sha256,
    string Encoding,
    long DurationMs,
    string AccessKey,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> Locations);

/// <summary>Where a newest-first listing goes on: after the file created at <paramref name="CreatedAt"/> with <paramref name="Path"/>.</summary>
public sealed record NewestFirstCursor(DateTimeOffset CreatedAt, string Path)
{
    public static NewestFirstCursor Of(FileRecord record) => new(record.CreatedAt, record.Path);
}

/// <summary>A VDN's stored files in total.</summary>
public sealed record VdnSummary(int VdnId, long Files, long Bytes);

/// <summary>Where a row is in its life. Rows not <see cref="Stored"/> mark work a crash interrupted.</summary>
public enum FileState
{
    /// <summary>The name is reserved and the copies are being written.</summary>
    Pending = 0,

    /// <summary>Every copy listed in file_copies is durable.</summary>
    Stored = 1,

    /// <summary>The copies are being deleted.</summary>
    Deleting = 2,
}

/// <summary>What <see cref="IFileCatalog.RemoveCopyAsync"/> did.</summary>
public enum CopyRemoval
{
    /// <summary>No stored file has that path, or the location holds no copy of it.</summary>
    NotHeld,

    /// <summary>The copy is forgotten; other locations still hold the file.</summary>
    Removed,

    /// <summary>It was the last copy: the row is now being deleted, and the caller removes the bytes and the row.</summary>
    LastCopy,
}

/// <summary>
/// The metadata of stored files. Each change that touches bytes is bracketed by the catalog: an upload reserves its
/// name (pending), writes, then commits; a delete marks the row (deleting), removes the bytes, then the row. A row
/// found pending or deleting at start-up is finished by removing its bytes and the row, so a stored row always has
/// its files.
/// </summary>
public interface IFileCatalog
{
    /// <summary>Creates or upgrades the schema.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Records an upload as pending; false if the path is already taken.</summary>
    Task<bool> TryReserveAsync(FileRecord record, CancellationToken cancellationToken);

    /// <summary>Marks a pending upload stored in <paramref name="locations"/>.</summary>
    Task CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken);

    /// <summary>Drops a pending reservation whose upload failed.</summary>
    Task ReleaseAsync(string path, CancellationToken cancellationToken);

    /// <summary>A stored file, or null.</summary>
    Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken);

    /// <summary>Marks a stored file as being deleted and returns it; null if no stored file has that path.</summary>
    Task<FileRecord?> BeginDeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Removes a row, whatever its state, with its copies.</summary>
    Task RemoveAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets one location's copy of a stored file, atomically with the check that others remain: when it is the
    /// last copy, the row is marked as being deleted instead (<see cref="CopyRemoval.LastCopy"/>), so two deletes of
    /// the last two copies can never leave a stored row without copies.
    /// </summary>
    Task<CopyRemoval> RemoveCopyAsync(string path, string locationId, CancellationToken cancellationToken);

    /// <summary>Rows a crash left pending or deleting.</summary>
    Task<IReadOnlyList<FileRecord>> ListUnfinishedAsync(CancellationToken cancellationToken);

    /// <summary>Stored files in path order, after <paramref name="afterPath"/> (keyset paging), of one VDN or all.</summary>
    Task<IReadOnlyList<FileRecord>> ListStoredAsync(int? vdnId, string? afterPath, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One VDN's stored files, newest first: by creation time, then path, both descending, after
    /// <paramref name="after"/> (keyset paging, so a page is as cheap deep in the list as at its start).
    /// </summary>
    Task<IReadOnlyList<FileRecord>> ListNewestFirstAsync(int vdnId, NewestFirstCursor? after, int limit, CancellationToken cancellationToken);

    /// <summary>Each VDN that has stored files, with their count and total size.</summary>
    Task<IReadOnlyList<VdnSummary>> ListVdnsAsync(CancellationToken cancellationToken);

    /// <summary>Throws unless the catalog can be written now (the probe writes nothing).</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
