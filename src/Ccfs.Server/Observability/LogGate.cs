using System.Collections.Concurrent;

namespace Ccfs.Server.Observability;

/// <summary>
/// Lets a warning about one key (a client address, a location) through once a minute: a client repeating a mistake a
/// thousand times a second, or a store dropping requests, writes one line a minute, while a metric counts each. Past
/// 10,000 keys the table is forgotten, which costs at most one extra line per key and keeps a scan from many addresses
/// from growing it without bound.
/// </summary>
public sealed class LogGate<TKey>(TimeProvider time)
    where TKey : notnull
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<TKey, long> _loggedAt = new();

    /// <summary>Whether to log about <paramref name="key"/> now; true once per interval per key, across threads.</summary>
    public bool Admits(TKey key)
    {
        if (_loggedAt.Count > MaxKeys)
        {
            _loggedAt.Clear();
        }

        var now = time.GetTimestamp();
        var last = _loggedAt.GetOrAdd(key, long.MinValue);
        return (last == long.MinValue || time.GetElapsedTime(last, now) >= Interval) && _loggedAt.TryUpdate(key, now, last);
    }
}
