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

/// <summary>
/// The metadata of stored files. An upload first reserves its name (a pending row), then writes its bytes, then
/// commits the row with the locations that hold them; a pending row found at start-up marks an interrupted upload.
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

    Task<IReadOnlyList<FileRecord>> ListPendingAsync(CancellationToken cancellationToken);

    /// <summary>A committed file, or null.</summary>
    Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken);

    /// <summary>Throws unless the catalog can be read and written now.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
