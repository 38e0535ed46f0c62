using System.Collections.Concurrent;

namespace Ccfs.Server.Auth;

/// <summary>
/// Logs requests refused because their address is locked, at most one line per address and <see cref="Interval"/>:
/// the first refusal is logged at once, and the next line after the interval says how many were refused since. A locked
/// client hammering the server cannot flood the log this way; <c>ccfs_auth_rejections_total{reason="IpLocked"}</c>
/// counts every one.
/// </summary>
public sealed partial class LockedRequestLog(TimeProvider time, ILogger<LockedRequestLog> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Past this many addresses, those not logged within the interval are forgotten.</summary>
    private const int PruneThreshold = 10_000;

    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    public void Refused(string ip)
    {
        var now = time.GetUtcNow();
        if (_tallies.Count > PruneThreshold)
        {
            foreach (var (address, old) in _tallies)
            {
                if (now - old.LoggedAt >= Interval)
                {
                    _tallies.TryRemove(address, out _);
                }
            }
        }

        var tally = _tallies.GetOrAdd(ip, _ => new Tally());
        lock (tally)
        {
            tally.Count++;
            if (now - tally.LoggedAt < Interval)
            {
                return;
            }

            LogRefused(logger, tally.Count, ip, tally.Count == 1 ? now : tally.LoggedAt);
            tally.Count = 0;
            tally.LoggedAt = now;
        }
    }

    [LoggerMessage(LogLevel.Information, "Refused {Count} request(s) from {ClientIp} since {Since:o}: the address is locked after "
        + "repeated authentication failures")]
    private static partial void LogRefused(ILogger logger, long count, string clientIp, DateTimeOffset since);

    private sealed class Tally
    {
        public long Count { get; set; }

        public DateTimeOffset LoggedAt { get; set; } = DateTimeOffset.MinValue;
    }
}
