using System.Collections.Concurrent;
using System.Net;

namespace Ccfs.Server.Http;

/// <summary>
/// Lets a warning about a client address through once a minute: a client repeating a mistake a thousand times a second
/// writes one line a minute, while a metric counts each. Past 10,000 addresses the table is forgotten, which costs at
/// most one extra line per address and keeps a scan from many addresses from growing it without bound.
/// </summary>
public sealed class PerAddressLogGate(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private const int MaxAddresses = 10_000;

    private readonly ConcurrentDictionary<IPAddress, long> _loggedAt = new();

    /// <summary>Whether to log about <paramref name="address"/> now; true once per interval per address, across threads.</summary>
    public bool Admits(IPAddress address)
    {
        if (_loggedAt.Count > MaxAddresses)
        {
            _loggedAt.Clear();
        }

        var now = time.GetTimestamp();
        var last = _loggedAt.GetOrAdd(address, long.MinValue);
        return (last == long.MinValue || time.GetElapsedTime(last, now) >= Interval) && _loggedAt.TryUpdate(address, now, last);
    }
}
