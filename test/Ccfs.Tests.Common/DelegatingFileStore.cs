using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Tests;

/// <summary>
/// A store that passes everything to another; test doubles override only the step they change. A staged file's
/// placement goes through <see cref="PlaceAsync"/>, so a double can fail a placement as well as a stage.
/// </summary>
public abstract class DelegatingFileStore(IFileStore inner) : IFileStore
{
    public string LocationId => inner.LocationId;

    public virtual TimeSpan LateWriteWindow => inner.LateWriteWindow;

    public virtual async Task<IStagedFile> StageAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        new Staged(this, await inner.StageAsync(content, cancellationToken));

    /// <summary>Places a file <see cref="StageAsync"/> staged in the inner store.</summary>
    public virtual Task<WrittenCopy> PlaceAsync(IStagedFile staged, StoragePath path, CancellationToken cancellationToken) =>
        staged.PlaceAsync(path, cancellationToken);

    public virtual Task UndoWriteAsync(WrittenCopy copy, CancellationToken cancellationToken) => inner.UndoWriteAsync(copy, cancellationToken);

    public virtual Task ReplaceAsync(StoragePath path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.ReplaceAsync(path, content, cancellationToken);

    public virtual Task<Stream?> OpenReadAsync(StoragePath path, CancellationToken cancellationToken) => inner.OpenReadAsync(path, cancellationToken);

    public virtual Task<IReadOnlyList<string>?> ListFilesAsync(StoragePath folder, CancellationToken cancellationToken) =>
        inner.ListFilesAsync(folder, cancellationToken);

    public virtual Task CheckDeletableAsync(StoragePath path, CancellationToken cancellationToken) => inner.CheckDeletableAsync(path, cancellationToken);

    public virtual Task<IReadOnlyList<string>> ListFoldersAsync(StoragePath? folder, CancellationToken cancellationToken) =>
        inner.ListFoldersAsync(folder, cancellationToken);

    public virtual Task<FileTreePage> ListTreeAsync(StoragePath folder, string? after, int limit, CancellationToken cancellationToken) =>
        inner.ListTreeAsync(folder, after, limit, cancellationToken);

    public virtual Task<StoredFile?> StatAsync(StoragePath path, CancellationToken cancellationToken) => inner.StatAsync(path, cancellationToken);

    public virtual Task<bool> DeleteAsync(StoragePath path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public virtual Task<bool> ExistsAsync(StoragePath path, CancellationToken cancellationToken) => inner.ExistsAsync(path, cancellationToken);

    public virtual Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

    public virtual Task<LocationOpening> OpenAsync(Func<CancellationToken, Task<bool>> holdsCopies, CancellationToken cancellationToken) =>
        inner.OpenAsync(holdsCopies, cancellationToken);

    public virtual Task SweepTemporaryFilesAsync(IReadOnlySet<string> liveInstances, CancellationToken cancellationToken) =>
        inner.SweepTemporaryFilesAsync(liveInstances, cancellationToken);

    public virtual Task<int> ClearAsync(CancellationToken cancellationToken) => inner.ClearAsync(cancellationToken);

    private sealed class Staged(DelegatingFileStore store, IStagedFile inner) : IStagedFile
    {
        public Task<WrittenCopy> PlaceAsync(StoragePath path, CancellationToken cancellationToken) => store.PlaceAsync(inner, path, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
