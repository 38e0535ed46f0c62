using Ccfs.Server.Catalog;
using Ccfs.Server.Paths;

namespace Ccfs.Server.Storage;

/// <summary>
/// Removes a stored file, for deleteFile and the admin delete alike, bracketed by the catalog: the row (or one copy)
/// is marked deleting durably before any byte goes, and forgotten after. A delete cut short (a failed removal, a crash)
/// leaves the mark with its owner, and recovery finishes it once the owner is gone or no longer working on it, on this
/// node within one sweep interval.
/// </summary>
public sealed class FileRemoval(LocationSet locations, IFileCatalog catalog, WorkInProgress inProgress)
{
    /// <summary>Mark the row, remove every copy, then the row; false if there was neither a row nor a copy.</summary>
    public async Task<bool> EverywhereAsync(LogicalPath path)
    {
        using var working = inProgress.Begin(path.Path);
        var record = await catalog.BeginDeleteAsync(path.Path, CancellationToken.None);
        var removed = await RemoveMarkedAsync(path, hasRow: record is not null);
        return record is not null || removed;
    }

    /// <summary>
    /// Mark the copy, remove it, then forget it: the catalog never lists a copy that is gone, and never forgets one that
    /// is still there. The last copy takes the whole-file path, so the row goes with it.
    /// </summary>
    public async Task<bool> FromAsync(LogicalPath path, IFileStore store)
    {
        using var working = inProgress.Begin(path.Path);
        switch (await catalog.BeginCopyDeleteAsync(path.Path, store.LocationId, CancellationToken.None))
        {
            case CopyRemoval.Marked:
                await store.DeleteAsync(path.StoragePath, CancellationToken.None);
                await catalog.ForgetCopyAsync(path.Path, store.LocationId, CancellationToken.None);
                return true;
            case CopyRemoval.LastCopy:
                await RemoveMarkedAsync(path, hasRow: true);
                return true;
            default:
                // A copy the catalog does not list still goes: a file placed by hand, or one a delete marked and could not
                // remove, which a retry finishes (forgetting the mark too).
                var removed = await store.DeleteAsync(path.StoragePath, CancellationToken.None);
                await catalog.ForgetCopyAsync(path.Path, store.LocationId, CancellationToken.None);
                return removed;
        }
    }

    /// <summary>Removes every copy of a file whose row (if any) is marked deleting, then the row.</summary>
    private async Task<bool> RemoveMarkedAsync(LogicalPath path, bool hasRow)
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
