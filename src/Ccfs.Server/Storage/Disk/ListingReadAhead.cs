namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// What a page of a disk listing read from the folder it stopped in but had no room for. A folder is not kept in any
/// order, so each read of it goes through every entry; the next page of the same listing starts from what is kept here
/// instead, and a flat folder of n files is read about n / <see cref="Capacity"/> times in all rather than once per
/// page. A few listings are kept, briefly: a file added meanwhile among the names already read is missed by that
/// listing (it is new, so retention has nothing to do with it yet), and one deleted meanwhile is skipped when looked at.
/// </summary>
/// <param name="capacity">The most names one read of a folder keeps; the default is about 1.5 MB of names.</param>
internal sealed class ListingReadAhead(int capacity = ListingReadAhead.DefaultCapacity)
{
    public const int DefaultCapacity = 16_384;

    private const int Kept = 4;
    private const long FreshForMs = 60_000;

    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];

    /// <summary>Reads of a folder's entries so far (each goes through the whole folder).</summary>
    public long FolderReads => Interlocked.Read(ref _folderReads);

    private long _folderReads;

    public int Capacity => capacity;

    public void CountRead() => Interlocked.Increment(ref _folderReads);

    /// <summary>Keeps the names a listing of <paramref name="top"/> read in the folder <paramref name="prefix"/> below it, for the page after <paramref name="after"/>.</summary>
    public void Keep(string top, string prefix, string after, ArraySegment<string> keys, bool complete)
    {
        lock (_lock)
        {
            _entries.RemoveAll(e => e.Top == top && e.After == after);
            if (_entries.Count == Kept)
            {
                _entries.RemoveAt(0);
            }

            _entries.Add(new Entry(top, prefix, after, keys, complete, Environment.TickCount64));
        }
    }

    /// <summary>The names kept for the page after <paramref name="after"/>, once; null if none are (or they are stale).</summary>
    public (ArraySegment<string> Keys, bool Complete)? Take(string top, string prefix, string after)
    {
        lock (_lock)
        {
            var i = _entries.FindIndex(e => e.Top == top && e.Prefix == prefix && e.After == after);
            if (i < 0)
            {
                return null;
            }

            var entry = _entries[i];
            _entries.RemoveAt(i);
            return Environment.TickCount64 - entry.At <= FreshForMs ? (entry.Keys, entry.Complete) : null;
        }
    }

    private sealed record Entry(string Top, string Prefix, string After, ArraySegment<string> Keys, bool Complete, long At);
}
