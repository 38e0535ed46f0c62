using System.Collections.Concurrent;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Lifecycle;

/// <summary>
/// The undone uploads of this process whose write may still land (a remote store lost its answer and may finish it
/// once it runs again, even after answering the undo's delete): each keeps its row, committed to its undo, until
/// recovery deletes its copies again a whole <see cref="LocationSet.LateWriteWindow"/> after the first delete that
/// succeeded, this process's or recovery's own. Kept in memory: after a restart, or on another node, an undo is
/// finished at the first delete that succeeds (docs/s3-locations.md).
/// </summary>
public sealed class LateWrites(LocationSet locations, TimeProvider time)
{
    // Null: no delete of the copies has succeeded yet (the store was frozen for it too).
    private readonly ConcurrentDictionary<string, DateTimeOffset?> _deletedAt = new(StringComparer.Ordinal);

    /// <summary>Notes that the write of the undone upload <paramref name="path"/> may still land, and that its copies could not be deleted yet.</summary>
    public void Expect(string path) => _deletedAt.TryAdd(path, null);

    /// <summary>Notes that the copies of the undone upload <paramref name="path"/> were deleted now, while its write may still land.</summary>
    public void Deleted(string path) => _deletedAt[path] = time.GetUtcNow();

    /// <summary>
    /// After a delete of the undo's copies succeeded: whether it is final (none may still land, or a whole window has
    /// passed since the first such delete). The first one starts the window.
    /// </summary>
    public bool Settled(string path)
    {
        if (!_deletedAt.TryGetValue(path, out var at))
        {
            return true;
        }

        if (at is null)
        {
            Deleted(path);
            return false;
        }

        if (time.GetUtcNow() - at < locations.LateWriteWindow)
        {
            return false;
        }

        _deletedAt.TryRemove(path, out _);
        return true;
    }

    /// <summary>Forgets the paths no unfinished row names any more (another node finished their undo).</summary>
    public void Keep(IReadOnlySet<string> unfinished)
    {
        foreach (var path in _deletedAt.Keys.Where(p => !unfinished.Contains(p)))
        {
            _deletedAt.TryRemove(path, out _);
        }
    }
}
