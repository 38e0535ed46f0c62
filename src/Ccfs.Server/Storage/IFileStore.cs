using Ccfs.Server.Paths;

namespace Ccfs.Server.Storage;

/// <summary>
/// The files of one location (a CTI pool node). Paths are <see cref="StoragePath"/>s, which only the path rules make (for
/// example <c>3rdfile/53/thirdvoicebotfile/8fSsBaEb_1631869974029.wav</c>), so a store takes them as checked. Every
/// operation throws <see cref="OutsideRootException"/> rather than follow a link out of the root.
/// </summary>
public interface IFileStore
{
    string LocationId { get; }

    /// <summary>
    /// How long after a write failed with no answer it may still land: a remote store may finish a request whose answer
    /// was lost once it runs again, even after a later request was answered. Zero for a local disk, whose write either
    /// happened or not by the time it fails.
    /// </summary>
    TimeSpan LateWriteWindow { get; }

    /// <summary>
    /// The first half of storing a new file: makes <paramref name="content"/> durable where no reader looks (on disk, a
    /// temporary file fsynced under <c>.ccfs-tmp</c>), so the slow part of a write can run while the catalog reserves
    /// the name. Disposing the staged file removes what was staged and not placed.
    /// </summary>
    Task<IStagedFile> StageAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>
    /// Takes back a placed file that is not to be kept: deletes the copy, then each folder the write created, deepest first,
    /// as long as it is empty. A folder another write has put a file in since stays.
    /// </summary>
    Task UndoWriteAsync(WrittenCopy copy, CancellationToken cancellationToken);

    /// <summary>
    /// Puts <paramref name="content"/> at <paramref name="path"/> the same atomic, durable way, whether or not a file is
    /// there: a reader sees the old bytes or the new ones, never a mix. Only repair uses it; uploads never overwrite.
    /// </summary>
    Task ReplaceAsync(StoragePath path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a file for reading, or null if there is no regular file at that path (a folder, named pipe, socket or
    /// device counts as none, and is never waited on).
    /// </summary>
    Task<Stream?> OpenReadAsync(StoragePath path, CancellationToken cancellationToken);

    /// <summary>The names of the files directly in a folder (hidden ones left out), or null if there is no such folder.</summary>
    Task<IReadOnlyList<string>?> ListFilesAsync(StoragePath folder, CancellationToken cancellationToken);

    /// <summary>
    /// The names of the folders directly in a folder (null: the location's root), in ordinal order, hidden ones left out
    /// (on disk, a link to a folder is not one); empty if there is no such folder. Retention finds the VDNs a location
    /// holds folders for with it.
    /// </summary>
    Task<IReadOnlyList<string>> ListFoldersAsync(StoragePath? folder, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the regular files at any depth under <paramref name="folder"/>, with their sizes and last-modified
    /// times, in ordinal order of their paths: those after <paramref name="after"/> (null: from the first; otherwise the
    /// <see cref="FileTreePage.Next"/> of the page before), at most <paramref name="limit"/>, so even a folder of millions
    /// of files is read a page at a time, and a listing goes on where it was even while its files are deleted. A page
    /// may hold fewer files, even none, while <c>Next</c> is set; only a null <c>Next</c> ends the listing. Hidden
    /// files and folders (<c>.…</c>, the server's <c>.ccfs…</c> among them), names no path may hold (a path longer than
    /// <see cref="Paths.StoragePath.MaxLength"/>) and files more than <see cref="FileTreePage.MaxDepth"/> folders down are
    /// left out; on disk a link is neither followed nor listed. A folder that does not exist lists nothing.
    /// </summary>
    Task<FileTreePage> ListTreeAsync(StoragePath folder, string? after, int limit, CancellationToken cancellationToken);

    /// <summary>The regular file at <paramref name="path"/>, with its size and last-modified time; null if there is none (on disk, a link counts as none).</summary>
    Task<StoredFile?> StatAsync(StoragePath path, CancellationToken cancellationToken);

    /// <summary>Deletes a file durably; false if it did not exist.</summary>
    Task<bool> DeleteAsync(StoragePath path, CancellationToken cancellationToken);

    /// <summary>
    /// Throws <see cref="OutsideRootException"/> when <see cref="DeleteAsync"/> would refuse the path (on disk, a link on
    /// its way), so a delete is refused before the catalog marks anything; nothing to look at where there are no links.
    /// </summary>
    Task CheckDeletableAsync(StoragePath path, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(StoragePath path, CancellationToken cancellationToken);

    /// <summary>Proves the location can be written now; throws with the reason if not.</summary>
    Task CheckWritableAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes sure the location is the one this server keeps its files in before anything is swept or written there; run
    /// by every recovery pass, before <see cref="SweepTemporaryFilesAsync"/>. A disk location's folder carries a marker
    /// (<see cref="Disk.DiskFileStore.MarkerFile"/>) written when it was first set up: a folder without it is refused with
    /// <see cref="LocationMissingException"/> (an unmounted disk leaves its empty mount point behind, and files written
    /// there would be hidden once the disk comes back), unless it is new (missing or empty, and the catalog lists no copy
    /// in the location: <paramref name="holdsCopies"/>), or a location an earlier release set up (not empty).
    /// </summary>
    /// <param name="holdsCopies">Whether the catalog lists a copy in this location; asked only of an empty folder with no marker.</param>
    Task<LocationOpening> OpenAsync(Func<CancellationToken, Task<bool>> holdsCopies, CancellationToken cancellationToken);

    /// <summary>
    /// Removes what interrupted writes left behind: temporary files of every node instance not in
    /// <paramref name="liveInstances"/> (their writers are gone). Called at start-up, before requests are served, and by
    /// the sweeper.
    /// </summary>
    Task SweepTemporaryFilesAsync(IReadOnlySet<string> liveInstances, CancellationToken cancellationToken);

    /// <summary>
    /// Removes every file and folder of the location but the server's own (<c>.ccfs…</c>), without following a link out
    /// of it: a rehearsal's reset (<c>POST /admin/api/reset</c>), never a production path.
    /// </summary>
    /// <returns>How many files were removed.</returns>
    Task<int> ClearAsync(CancellationToken cancellationToken);
}

/// <summary>Bytes <see cref="IFileStore.StageAsync"/> made durable, waiting for their name.</summary>
public interface IStagedFile : IAsyncDisposable
{
    /// <summary>
    /// Puts the staged bytes at <paramref name="path"/> atomically and durably: once this returns, the whole file
    /// survives a crash, and until then nothing is visible there. Throws <see cref="FileAlreadyExistsException"/> if the
    /// name exists (the bytes stay staged and may be placed under another name). A placement that fails leaves no folder
    /// it created behind.
    /// </summary>
    /// <returns>What was written, for <see cref="IFileStore.UndoWriteAsync"/>.</returns>
    Task<WrittenCopy> PlaceAsync(StoragePath path, CancellationToken cancellationToken);
}

public static class FileStoreWrites
{
    /// <summary>Stages and places in one go, for writes with no catalog step between (tests, tools).</summary>
    public static async Task<WrittenCopy> WriteAsync(this IFileStore store, StoragePath path, ReadOnlyMemory<byte> content,
        CancellationToken cancellationToken)
    {
        await using var staged = await store.StageAsync(content, cancellationToken);
        return await staged.PlaceAsync(path, cancellationToken);
    }
}

/// <summary>A file <see cref="IStagedFile.PlaceAsync"/> put in place, and the folders it had to create for it, outermost first.</summary>
/// <param name="Path">The file, as given to the placement.</param>
/// <param name="CreatedFolders">Folders relative to the location root, '/'-separated.</param>
public sealed record WrittenCopy(StoragePath Path, IReadOnlyList<string> CreatedFolders);

/// <summary>A file a location holds, as <see cref="IFileStore.ListTreeAsync"/> and <see cref="IFileStore.StatAsync"/> see it.</summary>
/// <param name="LastModified">When its bytes were last written: the file's mtime on disk, the object's Last-Modified in S3.</param>
public sealed record StoredFile(StoragePath Path, long SizeBytes, DateTimeOffset LastModified);

/// <summary>One page of <see cref="IFileStore.ListTreeAsync"/>.</summary>
/// <param name="Next">Where the next page starts, as the store words it (pass it as <c>after</c>); null when the listing is complete.</param>
public sealed record FileTreePage(IReadOnlyList<StoredFile> Files, string? Next)
{
    /// <summary>
    /// How many folders deep below the listed folder a listing looks: an IVR's recordings sit a level or two down, and a
    /// walk that followed any depth would hold a folder open (and a stack frame) per level.
    /// </summary>
    public const int MaxDepth = 32;
}

/// <summary>What <see cref="IFileStore.OpenAsync"/> found.</summary>
public enum LocationOpening
{
    /// <summary>The location was set up before (or needs no setting up, as in S3).</summary>
    Known,

    /// <summary>A new location: its folder was missing or empty, and is now set up.</summary>
    Created,

    /// <summary>A folder with files but no marker, as earlier releases left it (or a restore): it was given its marker.</summary>
    Adopted,
}

public sealed class FileAlreadyExistsException(string path) : IOException($"'{path}' already exists");

/// <summary>
/// A disk location whose folder is not the one set up for it: its marker is gone (an unmounted disk, a folder replaced),
/// so nothing is written there until the operator remounts it or re-initialises it deliberately.
/// </summary>
public sealed class LocationMissingException(string message) : IOException(message);

/// <summary>A path that leads out of the location root, through a link planted inside it.</summary>
public sealed class OutsideRootException(string path) : IOException($"'{path}' leads outside the storage root");
