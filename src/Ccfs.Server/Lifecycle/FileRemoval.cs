using Ccfs.Server.Catalog;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Lifecycle;

/// <summary>
/// Removes a stored file, for deleteFile and the admin delete alike, bracketed by the catalog: the row (or one copy)
/// is marked deleting durably before any byte goes, and forgotten after. A delete cut short (a failed removal, a crash)
/// leaves the mark with its owner, and recovery finishes it once the owner is gone or no longer working on it, on this
/// node within one sweep interval. A failure says which of those happened (<see cref="RemovalFailedException"/>).
/// </summary>
public sealed class FileRemoval(LocationSet locations, IFileCatalog catalog, WorkInProgress inProgress, NodeIdentity node)
{
    private const string NothingChanged = "nothing was deleted; try again later";
    private const string Marked = "the file is marked deleted and no longer served; the server removes it in the background";

    /// <summary>The rows (by path) and copies (<see cref="CopyKey"/>) whose delete here failed after marking them.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _left = new(StringComparer.Ordinal);

    /// <summary>
    /// Mark the row, remove every copy, then the row; false if there was neither a row nor a copy. The delete's event
    /// names <paramref name="actor"/>, the access key that asked for it.
    /// </summary>
    /// <exception cref="OutsideRootException">A location would refuse the path (a link on its way); nothing was marked.</exception>
    public async Task<bool> EverywhereAsync(LogicalPath path, string actor)
    {
        using var working = inProgress.Begin(path.Path);
        await CheckDeletableAsync(path);
        var record = await StepAsync(() => catalog.BeginDeleteAsync(path.Path, actor, CancellationToken.None), NothingChanged);
        if (record is not null)
        {
            await KeepingMarkAsync(path.Path, () => RemoveMarkedAsync(path, hasRow: true));
            return true;
        }

        // No stored row to mark. A row in another state is another request's: a delete under way (or an upload not yet
        // stored); only a mark a failed delete left here is taken over, so a retry after a 503 finishes it.
        return await StepAsync(() => catalog.StateOfAsync(path.Path, CancellationToken.None), NothingChanged) switch
        {
            null => await RemoveMarkedAsync(path, hasRow: false),
            { State: FileState.Deleting, Owner: var owner } when TakeOver(path.Path, owner) =>
                await KeepingMarkAsync(path.Path, () => RemoveMarkedAsync(path, hasRow: true)) || true,
            _ => false,
        };
    }

    /// <summary>
    /// Retention's delete of a recording, a file no row names: its copies in every location, only while still no row
    /// names it. Nothing is done when one does (an upload took the name since the recording was claimed): the row's file
    /// is not the recording, and <see cref="EverywhereAsync"/> would have deleted it.
    /// </summary>
    /// <exception cref="OutsideRootException">A location would refuse the path (a link on its way); nothing was deleted.</exception>
    public async Task<UnlistedRemoval> UnlistedAsync(LogicalPath path)
    {
        using var working = inProgress.Begin(path.Path);
        await CheckDeletableAsync(path);
        if (await StepAsync(() => catalog.StateOfAsync(path.Path, CancellationToken.None), NothingChanged) is not null)
        {
            return UnlistedRemoval.RowNamesIt;
        }

        return await RemoveMarkedAsync(path, hasRow: false) ? UnlistedRemoval.Removed : UnlistedRemoval.NothingThere;
    }

    /// <summary>
    /// <see cref="EverywhereAsync"/> for retention's delete of a stored file: only while it is created before
    /// <paramref name="createdBefore"/> and not pinned, decided as the catalog marks it; false (nothing done) otherwise.
    /// </summary>
    /// <exception cref="OutsideRootException">A location would refuse the path (a link on its way); nothing was marked.</exception>
    public async Task<bool> ExpireAsync(LogicalPath path, DateTimeOffset createdBefore)
    {
        using var working = inProgress.Begin(path.Path);
        await CheckDeletableAsync(path);
        if (await StepAsync(() => catalog.BeginExpireAsync(path.Path, createdBefore, CancellationToken.None), NothingChanged) is null)
        {
            return false;
        }

        await KeepingMarkAsync(path.Path, () => RemoveMarkedAsync(path, hasRow: true));
        return true;
    }

    /// <summary>
    /// Mark the copy, remove it, then forget it: the catalog never lists a copy that is gone, and never forgets one that
    /// is still there. The last copy takes the whole-file path, so the row goes with it.
    /// </summary>
    /// <exception cref="OutsideRootException">A location would refuse the path (a link on its way); nothing was marked.</exception>
    public async Task<bool> FromAsync(LogicalPath path, IFileStore store, string actor)
    {
        using var working = inProgress.Begin(path.Path);
        await CheckDeletableAsync(path);
        var copy = CopyKey(path, store);
        switch (await StepAsync(() => catalog.BeginCopyDeleteAsync(path.Path, store.LocationId, actor, CancellationToken.None), NothingChanged))
        {
            case CopyRemoval.Marked:
                await KeepingMarkAsync(copy, () => RemoveCopyAsync(path, store));
                return true;
            case CopyRemoval.LastCopy:
                await KeepingMarkAsync(path.Path, () => RemoveMarkedAsync(path, hasRow: true));
                return true;
        }

        // Nothing marked by this call. A row or copy another delete marked is that delete's to finish, and a row not yet
        // stored an upload's; a mark a failed delete left here is taken over; a copy the catalog does not list still
        // goes: a file placed by hand.
        switch (await StepAsync(() => catalog.StateOfAsync(path.Path, CancellationToken.None), NothingChanged))
        {
            case { State: FileState.Deleting, Owner: var owner } when TakeOver(path.Path, owner):
                await KeepingMarkAsync(path.Path, () => RemoveMarkedAsync(path, hasRow: true));
                return true;
            case { State: not FileState.Stored }:
                return false;
            case not null when await StepAsync(() => catalog.CopyMarkOwnerAsync(path.Path, store.LocationId, CancellationToken.None),
                    NothingChanged) is { } owner:
                if (!TakeOver(copy, owner))
                {
                    return false;
                }

                await KeepingMarkAsync(copy, () => RemoveCopyAsync(path, store));
                return true;
            default:
                var removed = await StepAsync(() => store.DeleteAsync(path.StoragePath, CancellationToken.None), NothingChanged);
                await StepAsync(() => ForgetCopyAsync(path, store), Marked);
                return removed;
        }
    }

    private static string CopyKey(LogicalPath path, IFileStore store) => $"{path.Path}\n{store.LocationId}";

    /// <summary>
    /// Whether this call takes over the mark <paramref name="owner"/> made on the row or copy <paramref name="key"/>: only
    /// a mark this instance's failed delete left (<see cref="KeepingMarkAsync{T}"/>), and only once, so of several retries
    /// one finishes it. Any other mark is a delete under way, here or on another node, which answers for itself; finishing
    /// it too would answer racing deletes each as the one. A restart forgets what was left; recovery finishes it then.
    /// </summary>
    private bool TakeOver(string key, string? owner) => owner == node.Instance && _left.TryRemove(key, out _);

    /// <summary>Runs the work after a mark; if it fails, the mark is left for a retry here to take over.</summary>
    private async Task<T> KeepingMarkAsync<T>(string key, Func<Task<T>> work)
    {
        _left.TryRemove(key, out _);
        try
        {
            return await work();
        }
        catch (RemovalFailedException)
        {
            _left[key] = 0;
            throw;
        }
    }

    private async Task<bool> RemoveCopyAsync(LogicalPath path, IFileStore store)
    {
        await StepAsync(() => store.DeleteAsync(path.StoragePath, CancellationToken.None), Marked);
        await StepAsync(() => ForgetCopyAsync(path, store), Marked);
        return true;
    }

    /// <summary>Removes every copy of a file whose row (if any) is marked deleting, then the row.</summary>
    private async Task<bool> RemoveMarkedAsync(LogicalPath path, bool hasRow)
    {
        var removed = false;
        foreach (var store in locations.Stores)
        {
            removed |= await StepAsync(() => store.DeleteAsync(path.StoragePath, CancellationToken.None), hasRow ? Marked : NothingChanged);
        }

        if (hasRow)
        {
            await StepAsync(() => RemoveRowAsync(path), "its copies are gone; the server forgets the file in the background");
        }

        return removed;
    }

    /// <summary>Every location is asked, since the last copy's delete takes them all.</summary>
    private async Task CheckDeletableAsync(LogicalPath path)
    {
        foreach (var store in locations.Stores)
        {
            await StepAsync(async () =>
            {
                await store.CheckDeletableAsync(path.StoragePath, CancellationToken.None);
                return true;
            }, NothingChanged);
        }
    }

    private async Task<bool> ForgetCopyAsync(LogicalPath path, IFileStore store)
    {
        await catalog.ForgetCopyAsync(path.Path, store.LocationId, CancellationToken.None);
        return true;
    }

    private async Task<bool> RemoveRowAsync(LogicalPath path)
    {
        await catalog.RemoveAsync(path.Path, CancellationToken.None);
        return true;
    }

    /// <summary>Runs one step; a failure of the stores or the catalog becomes a refusal that says what is true after it.</summary>
    private static async Task<T> StepAsync<T>(Func<Task<T>> step, string afterFailure)
    {
        try
        {
            return await step();
        }
        catch (Exception e) when (e is not OutsideRootException && StorageFailure.Is(e))
        {
            throw new RemovalFailedException($"{e.Message.TrimEnd('.')}; {afterFailure}", e);
        }
    }
}

/// <summary>What <see cref="FileRemoval.UnlistedAsync"/> did.</summary>
public enum UnlistedRemoval
{
    /// <summary>At least one location held a copy, and every copy is gone.</summary>
    Removed,

    /// <summary>No location held a copy: nothing was deleted.</summary>
    NothingThere,

    /// <summary>A catalog row names the path now: it is that row's file, and nothing was deleted.</summary>
    RowNamesIt,
}

/// <summary>A delete that could not finish now, and what is true because of it (nothing changed, or marked and finishing).</summary>
public sealed class RemovalFailedException(string message, Exception inner) : IOException(message, inner);
