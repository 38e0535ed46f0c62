using Ccfs.Server.Storage;

namespace Ccfs.Tests;

/// <summary>A store that passes everything to another; test doubles override only the step they change.</summary>
public abstract class DelegatingFileStore(IFileStore inner) : IFileStore
{
    public string LocationId => inner.LocationId;

    public virtual Task<WrittenCopy> WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.WriteAsync(path, content, cancellationToken);

    public virtual Task UndoWriteAsync(WrittenCopy copy, CancellationToken cancellationToken) => inner.UndoWriteAsync(copy, cancellationToken);

    public virtual Task ReplaceAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.ReplaceAsync(path, content, cancellationToken);

    public virtual Task<Stream?> OpenReadAsync(string path, CancellationToken cancellationToken) => inner.OpenReadAsync(path, cancellationToken);

    public virtual Task<IReadOnlyList<string>?> ListFilesAsync(string folder, CancellationToken cancellationToken) =>
        inner.ListFilesAsync(folder, cancellationToken);

    public virtual Task<bool> DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);

    public virtual Task<bool> ExistsAsync(string path, CancellationToken cancellationToken) => inner.ExistsAsync(path, cancellationToken);

    public virtual Task CheckWritableAsync(CancellationToken cancellationToken) => inner.CheckWritableAsync(cancellationToken);

    public virtual Task SweepTemporaryFilesAsync(CancellationToken cancellationToken) => inner.SweepTemporaryFilesAsync(cancellationToken);
}
