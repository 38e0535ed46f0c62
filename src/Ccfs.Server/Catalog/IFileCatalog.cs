namespace Ccfs.Server.Catalog;

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
    IReadOnlyList<string> Locations,
    string? PromptCheck = null)
{
    /// <summary>Where the file's copies are in each location (the path rules made the key, so it always has one).</summary>
    public Paths.StoragePath StoragePath => Paths.StoragePath.FromCatalogKey(Path);
}

/// <summary>Where a newest-first listing goes on: after the file created at <paramref name="CreatedAt"/> with <paramref name="Path"/>.</summary>
public sealed record NewestFirstCursor(DateTimeOffset CreatedAt, string Path)
{
    public static NewestFirstCursor Of(FileRecord record) => new(record.CreatedAt, record.Path);
}

/// <summary>A VDN's stored files in total.</summary>
public sealed record VdnSummary(int VdnId, long Files, long Bytes);

/// <summary>A VDN's usage as its quota counts it: files pending (reserved by an upload under way) or stored, and their bytes.</summary>
public sealed record VdnUsage(int VdnId, long Files, long Bytes);

/// <summary>What <see cref="IFileCatalog.ReserveWithinAsync"/> did.</summary>
public enum ReserveOutcome
{
    /// <summary>The name and the quota's share are reserved.</summary>
    Reserved,

    /// <summary>A row has the name; nothing was reserved.</summary>
    NameTaken,

    /// <summary>The file does not fit in the VDN's quota; nothing was reserved.</summary>
    QuotaFull,
}

/// <summary>A reservation's outcome and the VDN's usage: after it when reserved, as it stood when refused.</summary>
/// <param name="WarningPercent">The quota warning (80 or 95) this reservation crossed, written as an event in its transaction; else null.</param>
public sealed record Reservation(ReserveOutcome Outcome, long Files, long Bytes, int? WarningPercent = null);

/// <summary>Where a row is in its life. Rows not <see cref="Stored"/> mark work that is under way or was interrupted.</summary>
public enum FileState
{
    /// <summary>The name is reserved and the copies are being written.</summary>
    Pending = 0,

    /// <summary>Every copy listed in file_copies is durable.</summary>
    Stored = 1,

    /// <summary>The copies are being deleted.</summary>
    Deleting = 2,

    /// <summary>
    /// An upload being undone: its copies are being removed, then the row. Nothing stores it any more, and, never stored,
    /// it reports nothing. Left by a failed undo or a node gone mid-way, recovery finishes it.
    /// </summary>
    Undoing = 3,
}

/// <summary>Where one location's copy of a stored file is in its life.</summary>
public enum CopyState
{
    /// <summary>The location holds the copy and serves it.</summary>
    Held = 1,

    /// <summary>The copy is being deleted from that location and is no longer served.</summary>
    Deleting = 2,
}

/// <summary>What <see cref="IFileCatalog.BeginCopyDeleteAsync"/> did.</summary>
public enum CopyRemoval
{
    /// <summary>No stored file has that path, or the location holds no copy of it.</summary>
    NotHeld,

    /// <summary>The copy is marked deleting; other locations still hold the file. The caller removes it, then forgets it.</summary>
    Marked,

    /// <summary>It was the last copy: the row is now being deleted, and the caller removes the bytes and the row.</summary>
    LastCopy,
}

/// <summary>What became of <see cref="IFileCatalog.CommitAsync"/>.</summary>
public enum CommitOutcome
{
    /// <summary>The upload's row is now stored.</summary>
    Stored,

    /// <summary>Recovery on another node found every copy in place and stored the row first; the upload stands.</summary>
    AlreadyStored,

    /// <summary>The reservation is gone (recovery undid it): nothing is stored and the copies must go.</summary>
    Lost,

    /// <summary>
    /// Recovery on another node took the pending row over (this node was thought gone): it decides, storing the file if
    /// every copy is in place and removing them otherwise, so the copies are left to it.
    /// </summary>
    TakenOver,
}

/// <summary>A row or a copy whose work is unfinished, with the node instance that owns it (null: nobody).</summary>
/// <param name="LocationId">Null for the whole file (pending or deleting row); a location for one copy being deleted.</param>
public sealed record UnfinishedWork(FileRecord Record, FileState State, string? LocationId, string? Owner);

/// <summary>
/// The metadata of stored files. Each change that touches bytes is bracketed by the catalog, and what is durable
/// before the bytes move says how to finish it after a crash:
/// an upload reserves its name (a durable pending row), places every copy, then marks the row stored (deferred: a
/// pending row whose copies are all in place is stored by recovery); a delete marks the row or the copy deleting
/// (durable), removes the bytes, then forgets them (deferred). Every row and copy marked so carries its owner, the
/// node instance doing the work, and recovery finishes only work whose owner is gone. Writes go through the catalog's
/// one writer (<see cref="CatalogWriter"/>).
/// </summary>
public interface IFileCatalog
{
    /// <summary>
    /// Records an upload as pending, owned by this node instance; false if the path is already taken, by a row or by
    /// retention's claim of a recording under that name (<see cref="RetentionStore.ClaimExpiryAsync"/>), whose delete
    /// would otherwise take the upload's copies. The two decide one after the other, never both at once.
    /// </summary>
    Task<bool> TryReserveAsync(FileRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Records an upload as pending like <see cref="TryReserveAsync"/>, in one transaction with the check that the file
    /// fits in <paramref name="quota"/>: the VDN's usage row is locked first, so uploads on any node take turns for the
    /// last unit. Crossing 80 % or 95 % of the quota writes a <c>ccfs.quota.warning</c> event in the same transaction.
    /// </summary>
    Task<Reservation> ReserveWithinAsync(FileRecord record, Parameters.VdnQuota quota, CancellationToken cancellationToken);

    /// <summary>Each VDN's usage as quotas count it (pending and stored files), for every VDN that ever had a file.</summary>
    Task<IReadOnlyList<VdnUsage>> ListUsageAsync(CancellationToken cancellationToken);

    /// <summary>Marks this instance's pending upload stored in <paramref name="locations"/>, with its <c>ccfs.file.stored</c> event.</summary>
    Task<CommitOutcome> CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken);

    /// <summary>Drops this instance's pending reservation whose upload failed; false if it holds none (gone, or taken over by recovery).</summary>
    Task<bool> ReleaseAsync(string path, CancellationToken cancellationToken);

    /// <summary>A stored file with the copies it holds, or null.</summary>
    Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a stored file as being deleted by this instance on behalf of <paramref name="actor"/> (the access key its
    /// event names) and returns it; null if no stored file has that path.
    /// </summary>
    Task<FileRecord?> BeginDeleteAsync(string path, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="BeginDeleteAsync"/> for retention: marks the stored file only while it is expired, created before
    /// <paramref name="createdBefore"/> and not pinned, as decided under the file row's lock, so a pin, or a new file under
    /// the name, that came after the sweep's last look is not deleted. Null if no such file.
    /// </summary>
    Task<FileRecord?> BeginExpireAsync(string path, DateTimeOffset createdBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Removes an unfinished row (deleting or pending) with its copies; a stored row stays. A deleting row's
    /// <c>ccfs.file.deleted</c> event is written in the same transaction.
    /// </summary>
    Task RemoveAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Marks one location's copy of a stored file as being deleted, atomically with the check that others remain: when
    /// it is the last copy, the row is marked deleting instead (<see cref="CopyRemoval.LastCopy"/>), so two deletes of
    /// the last two copies can never leave a stored row without copies. A copy marked so is no longer listed.
    /// </summary>
    Task<CopyRemoval> BeginCopyDeleteAsync(string path, string locationId, string actor, CancellationToken cancellationToken);

    /// <summary>Forgets a copy marked deleting once its bytes are gone, with its <c>ccfs.file.deleted</c> event.</summary>
    Task ForgetCopyAsync(string path, string locationId, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the file is being deleted from that location: its row is marked deleting or undoing, or that copy is
    /// marked deleting. Its bytes may still be there, but they are no longer served.
    /// </summary>
    Task<bool> IsBeingDeletedAsync(string path, string locationId, CancellationToken cancellationToken);

    /// <summary>Whether any file or copy is marked for a delete (or an upload for an undo) that has not finished.</summary>
    Task<bool> AnyDeleteMarksAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the catalog lists any copy in that location, whatever its state: an empty folder for a location that holds
    /// copies is not a new location but one whose disk is missing.
    /// </summary>
    Task<bool> HoldsCopiesAsync(string locationId, CancellationToken cancellationToken);

    /// <summary>The instance whose delete marked that location's copy of the file; null when the copy is not marked.</summary>
    Task<string?> CopyMarkOwnerAsync(string path, string locationId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes this node the owner of a pending row <paramref name="owner"/> left (recovery's fence): that owner, should it
    /// wake, can then no longer store it (<see cref="CommitOutcome.TakenOver"/>). False if the row is no longer pending
    /// under that owner.
    /// </summary>
    Task<bool> TakeOverPendingAsync(string path, string? owner, CancellationToken cancellationToken);

    /// <summary>The state and owner of a row, whatever its state; null if there is none.</summary>
    Task<(FileState State, string? Owner)?> StateOfAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Commits this node to undoing its pending row (<see cref="FileState.Undoing"/>) before any copy is removed: from then
    /// on no node stores it. False if the row is no longer pending under this node (gone, stored, or taken over).
    /// </summary>
    Task<bool> BeginUndoAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a pending row this node owns (recovery took it over) whose copies it found all in place, with its event;
    /// false if it is no longer pending under this node.
    /// </summary>
    Task<bool> StoreRecoveredAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken);

    /// <summary>Pending and deleting rows and deleting copies, with their owners, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<UnfinishedWork>> ListUnfinishedAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Stored files in path order, after <paramref name="afterPath"/> (keyset paging), of one VDN or all.</summary>
    Task<IReadOnlyList<FileRecord>> ListStoredAsync(int? vdnId, string? afterPath, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One VDN's stored files, newest first: by creation time, then path, both descending, after
    /// <paramref name="after"/> (keyset paging, so a page is as cheap deep in the list as at its start); with
    /// <paramref name="failingPromptsOnly"/>, only those whose prompt failed a quality check at upload.
    /// </summary>
    Task<IReadOnlyList<FileRecord>> ListNewestFirstAsync(int vdnId, NewestFirstCursor? after, int limit, bool failingPromptsOnly,
        CancellationToken cancellationToken);

    /// <summary>Each VDN that has stored files, with their count and total size.</summary>
    Task<IReadOnlyList<VdnSummary>> ListVdnsAsync(CancellationToken cancellationToken);

    /// <summary>Commits a small durable write, proving the catalog takes writes now; throws with the reason if not.</summary>
    Task ProbeWriteAsync(CancellationToken cancellationToken);
}
