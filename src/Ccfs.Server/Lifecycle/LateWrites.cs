using System.Collections.Concurrent;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Lifecycle;

/// <summary>
/// The undone uploads of this process whose write may still land (a remote store lost its answer and may finish it
/// once it runs again, even after answering the undo's delete): each keeps its row, committed to its undo, until
/// recovery deletes its copies again a whole <see cref="LocationSet.LateWriteWindow"/> after this process first did.
/// </summary>
public sealed class LateWrites(LocationSet locations, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _deletedAt = new(StringComparer.Ordinal);

    /// <summary>Notes that the copies of the undone upload <paramref name="path"/> were deleted now, while its write may still land.</summary>
    public void Deleted(string path) => _deletedAt[path] = time.GetUtcNow();

    /// <summary>Whether a delete now of the undo's copies is final: none may still land, or its window has passed.</summary>
    public bool Settled(string path)
    {
        if (!_deletedAt.TryGetValue(path, out var at))
        {
            return true;
        }

        if (time.GetUtcNow() - at < locations.LateWriteWindow)
        {
            return false;
        }

        _deletedAt.TryRemove(path, out _);
        return true;
    }
}
