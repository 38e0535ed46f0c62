using System.Collections.Concurrent;
using System.Net;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Auth;

/// <summary>A client address locked after repeated authentication failures, and until when.</summary>
public sealed record IpLock(string Address, DateTimeOffset LockedUntil);

/// <summary>
/// Locks a client IP after too many signatures that did not match (spec §2.10, §6 Q7): by default 10 within 5 minutes
/// lock it for 10 minutes, and every request from it is answered 403 until then. Kept per node, in memory; the four
/// members are all a shared store would have to offer. While the development account is in use (no account configured,
/// loopback listeners only), loopback addresses are never locked, so a developer cannot lock themselves out.
/// </summary>
public sealed partial class IpLockout
{
    /// <summary>Past this many tracked addresses, idle ones are dropped so a spray of addresses cannot grow memory.</summary>
    private const int PruneThreshold = 10_000;

    private readonly IpLockOptions _options;
    private readonly bool _loopbackExempt;
    private readonly TimeProvider _time;
    private readonly CcfsMetrics _metrics;
    private readonly ILogger<IpLockout> _logger;
    private readonly ConcurrentDictionary<string, Record> _records = new(StringComparer.Ordinal);

    public IpLockout(CcfsSettings settings, TimeProvider time, CcfsMetrics metrics, ILogger<IpLockout> logger)
    {
        _options = settings.Auth.IpLock;
        _loopbackExempt = settings.UsesDevelopmentAccount;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        metrics.Registry.AddBeforeCollectCallback(() => metrics.LockedAddresses.Set(List().Count));
    }

    public bool IsLocked(string ip) => _records.TryGetValue(ip, out var record) && record.IsLocked(_time.GetUtcNow());

    /// <summary>Counts a signature that did not match; the failure that reaches the limit locks the address.</summary>
    public void RecordFailure(string ip)
    {
        if (_loopbackExempt && IPAddress.TryParse(ip, out var address) && IPAddress.IsLoopback(address))
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (_records.Count > PruneThreshold)
        {
            Prune(now);
        }

        var record = _records.GetOrAdd(ip, _ => new Record());
        lock (record)
        {
            var windowStart = now - _options.Window;
            while (record.Failures.Count > 0 && record.Failures.Peek() < windowStart)
            {
                record.Failures.Dequeue();
            }

            record.Failures.Enqueue(now);
            if (record.Failures.Count >= _options.MaxFailures)
            {
                var until = now + _options.LockDuration;
                record.LockUntil(until);
                _metrics.IpLocks.Inc();
                LogLocked(_logger, ip, until, record.Failures.Count, _options.Window);
                record.Failures.Clear();
            }
        }
    }

    /// <summary>The addresses locked now, soonest lifted first.</summary>
    public IReadOnlyList<IpLock> List()
    {
        var now = _time.GetUtcNow();
        return [.. _records.Select(r => new IpLock(r.Key, r.Value.LockedUntil)).Where(l => l.LockedUntil > now)
            .OrderBy(l => l.LockedUntil).ThenBy(l => l.Address, StringComparer.Ordinal)];
    }

    /// <summary>Lifts the lock on <paramref name="ip"/> and forgets its failures; false when it was not locked.</summary>
    public bool Lift(string ip)
    {
        if (!_records.TryGetValue(ip, out var record))
        {
            return false;
        }

        lock (record)
        {
            var wasLocked = record.IsLocked(_time.GetUtcNow());
            _records.TryRemove(new KeyValuePair<string, Record>(ip, record));
            return wasLocked;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (ip, record) in _records)
        {
            lock (record)
            {
                if (!record.IsLocked(now) && (record.Failures.Count == 0 || record.Failures.Last() < now - _options.Window))
                {
                    _records.TryRemove(ip, out _);
                }
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Locked client address {ClientIp} until {LockedUntil:o} after {Failures} signatures that did not match "
        + "within {Window}; every request from it is refused with 403 until then (GET /admin/api/ip-locks lists locks, "
        + "DELETE /admin/api/ip-locks/{{address}} lifts one)")]
    private static partial void LogLocked(ILogger logger, string clientIp, DateTimeOffset lockedUntil, int failures, TimeSpan window);

    private sealed class Record
    {
        private long _lockedUntilTicks;

        public Queue<DateTimeOffset> Failures { get; } = new();

        public DateTimeOffset LockedUntil => new(Volatile.Read(ref _lockedUntilTicks), TimeSpan.Zero);

        public void LockUntil(DateTimeOffset until) => Volatile.Write(ref _lockedUntilTicks, until.UtcTicks);

        public bool IsLocked(DateTimeOffset now) => now.UtcTicks < Volatile.Read(ref _lockedUntilTicks);
    }
}
