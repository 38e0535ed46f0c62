using System.Collections.Concurrent;

namespace Ccfs.Server.Lifecycle;

/// <summary>
/// The catalog paths this process is working on now: an upload from before its reservation until its row is stored or
/// released, a delete from before its mark until the row or copy is forgotten. Recovery in this process finishes its
/// own unfinished rows only when no request holds them, so it never races a request still running; a row this process
/// owns but holds no more was given up by a request that failed half-way.
/// </summary>
public sealed class WorkInProgress
{
    private readonly ConcurrentDictionary<string, int> _paths = new(StringComparer.Ordinal);

    public Scope Begin(string path)
    {
        _paths.AddOrUpdate(path, 1, (_, count) => count + 1);
        return new Scope(this, path);
    }

    public bool Contains(string path) => _paths.ContainsKey(path);

    private void End(string path)
    {
        while (true)
        {
            var count = _paths[path];
            if (count == 1 ? _paths.TryRemove(new KeyValuePair<string, int>(path, 1)) : _paths.TryUpdate(path, count - 1, count))
            {
                return;
            }
        }
    }

    public readonly struct Scope(WorkInProgress owner, string path) : IDisposable
    {
        public void Dispose() => owner?.End(path);
    }
}
