using System.Collections.Concurrent;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Auth;

/// <summary>
/// Locks a client IP after too many failed signatures (spec §2.10, §6 Q7): by default 10 failures within 5 minutes
/// lock it for 10 minutes, and every request from it is answered 403 until then. Kept per node, in memory.
/// </summary>
public sealed class IpLockout
{
    /// <summary>Past this many tracked addresses, idle ones are dropped so a spray of addresses cannot grow memory.</summary>
    private const int PruneThreshold = 10_000;

    private readonly IpLockOptions _options;
    private readonly TimeProvider _time;
    private readonly CcfsMetrics _metrics;
    private readonly ConcurrentDictionary<string, Record> _records = new(StringComparer.Ordinal);

    public IpLockout(CcfsSettings settings, TimeProvider time, CcfsMetrics metrics)
    {
        _options = settings.Auth.IpLock;
        _time = time;
        _metrics = metrics;
        metrics.Registry.AddBeforeCollectCallback(() => metrics.LockedAddresses.Set(LockedCount));
    }

    public int LockedCount => _records.Values.Count(r => r.IsLocked(_time.GetUtcNow()));

    public bool IsLocked(string ip) => _records.TryGetValue(ip, out var record) && record.IsLocked(_time.GetUtcNow());

    public void RecordFailure(string ip)
    {
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
                record.LockUntil(now + _options.LockDuration);
                _metrics.IpLocks.Inc();
                record.Failures.Clear();
            }
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

    private sealed class Record
    {
        private long _lockedUntilTicks;

        public Queue<DateTimeOffset> Failures { get; } = new();

        public void LockUntil(DateTimeOffset until) => Volatile.Write(ref _lockedUntilTicks, until.UtcTicks);

        public bool IsLocked(DateTimeOffset now) => now.UtcTicks < Volatile.Read(ref _lockedUntilTicks);
    }
}
