using Ccfs.Server.Metadata;
using Ccfs.Server.Paths;

namespace Ccfs.Server.Storage;

/// <summary>
/// Removes a stored file, for deleteFile and the admin delete alike, bracketed by the catalog so a crash in between
/// is finished at start-up.
/// </summary>
public static class FileRemoval
{
    /// <summary>Mark the row, remove every copy, then the row; false if there was neither a row nor a copy.</summary>
    public static async Task<bool> EverywhereAsync(LogicalPath path, LocationSet locations, IFileCatalog catalog)
    {
        var record = await catalog.BeginDeleteAsync(path.Path, CancellationToken.None);
        var removed = await RemoveMarkedAsync(path, locations, catalog, hasRow: record is not null);
        return record is not null || removed;
    }

    /// <summary>
    /// Forget the copy in the catalog first, then remove it: the catalog never lists a copy that is gone. The last
    /// copy takes the whole-file path, so the row goes with it.
    /// </summary>
    public static async Task<bool> FromAsync(LogicalPath path, IFileStore store, LocationSet locations, IFileCatalog catalog)
    {
        switch (await catalog.RemoveCopyAsync(path.Path, store.LocationId, CancellationToken.None))
        {
            case CopyRemoval.Removed:
                await store.DeleteAsync(path.StoragePath, CancellationToken.None);
                return true;
            case CopyRemoval.LastCopy:
                await RemoveMarkedAsync(path, locations, catalog, hasRow: true);
                return true;
            default:
                // A copy the catalog does not list still goes: a file placed by hand, or a copy left by a delete whose
                // catalog step succeeded and whose removal failed, which a retry must be able to finish.
                return await store.DeleteAsync(path.StoragePath, CancellationToken.None);
        }
    }

    /// <summary>Removes every copy of a file whose row (if any) is marked deleting, then the row.</summary>
    private static async Task<bool> RemoveMarkedAsync(LogicalPath path, LocationSet locations, IFileCatalog catalog, bool hasRow)
    {
        var removed = false;
        foreach (var store in locations.Stores)
        {
            removed |= await store.DeleteAsync(path.StoragePath, CancellationToken.None);
        }

        if (hasRow)
        {
            await catalog.RemoveAsync(path.Path, CancellationToken.None);
        }

        return removed;
    }
}
