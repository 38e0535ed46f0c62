using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Tests;

/// <summary>
/// A store's operations on a path written as text (<c>3rdfile/a.wav</c>), as tests name files; the text becomes a
/// <see cref="StoragePath"/> through the path rules, so a path they refuse throws <see cref="ArgumentException"/> here.
/// </summary>
public static class StoreByRelativePath
{
    public static StoragePath Path(string relative) => StoragePath.FromCatalogKey("/" + relative);

    public static Task<WrittenCopy> WriteAsync(this IFileStore store, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        store.WriteAsync(Path(path), content, cancellationToken);

    public static Task ReplaceAsync(this IFileStore store, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        store.ReplaceAsync(Path(path), content, cancellationToken);

    public static Task<Stream?> OpenReadAsync(this IFileStore store, string path, CancellationToken cancellationToken) =>
        store.OpenReadAsync(Path(path), cancellationToken);

    public static Task<IReadOnlyList<string>?> ListFilesAsync(this IFileStore store, string folder, CancellationToken cancellationToken) =>
        store.ListFilesAsync(Path(folder), cancellationToken);

    public static Task<bool> DeleteAsync(this IFileStore store, string path, CancellationToken cancellationToken) =>
        store.DeleteAsync(Path(path), cancellationToken);

    public static Task<bool> ExistsAsync(this IFileStore store, string path, CancellationToken cancellationToken) =>
        store.ExistsAsync(Path(path), cancellationToken);

    public static Task<WrittenCopy> PlaceAsync(this IStagedFile staged, string path, CancellationToken cancellationToken) =>
        staged.PlaceAsync(Path(path), cancellationToken);

    public static Task<IReadOnlyList<WrittenCopy>> WriteEverywhereAsync(this LocationSet locations, string path, ReadOnlyMemory<byte> content) =>
        locations.WriteEverywhereAsync(Path(path), content);
}
