using System.Collections.Concurrent;
using System.Net;
using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Auth;

/// <summary>A client address locked after repeated authentication failures, and until when.</summary>
public sealed record IpLock(string Address, DateTimeOffset LockedUntil);

/// <summary>
/// Locks a client IP after too many signatures that did not match (spec §2.10, §6 Q7): by default 10 within 5 minutes
/// lock it for 10 minutes, and every request from it is answered 403 until then. The check is made in memory; with a
/// shared catalog (<see cref="ISharedIpLocks"/>) failures are also counted across the nodes in the background, and locks
/// and lifts reach every node through the catalog's change notifications (<see cref="Load"/>). If the shared catalog
/// cannot be reached the node's own count still locks. While the development account is in use (no account configured,
/// loopback listeners only), loopback addresses are never locked, so a developer cannot lock themselves out.
/// </summary>
public sealed partial class IpLockout
{
    /// <summary>Past this many tracked addresses, idle ones are dropped so a spray of addresses cannot grow memory.</summary>
    private const int PruneThreshold = 10_000;

    /// <summary>
    /// Failures being counted in the shared catalog at once; past it a failure is counted here only (its lock still
    /// comes, and is shared), so a flood of bad signatures cannot queue catalog writes ahead of uploads.
    /// </summary>
    private const int MaxSharingInFlight = 64;

    private readonly IpLockOptions _options;
    private readonly bool _loopbackExempt;
    private readonly TimeProvider _time;
    private readonly ISharedIpLocks _shared;
    private readonly CcfsMetrics _metrics;
    private readonly ILogger<IpLockout> _logger;
    private readonly ConcurrentDictionary<string, Record> _records = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sharing = new(MaxSharingInFlight, MaxSharingInFlight);

    public IpLockout(CcfsSettings settings, TimeProvider time, ISharedIpLocks shared, CcfsMetrics metrics, ILogger<IpLockout> logger)
    {
        _options = settings.Auth.IpLock;
        _loopbackExempt = settings.UsesDevelopmentAccount;
        _time = time;
        _shared = shared;
        _metrics = metrics;
        _logger = logger;
        metrics.Registry.AddBeforeCollectCallback(() => metrics.LockedAddresses.Set(List().Count));
    }

    public bool IsLocked(string ip) => LockOf(ip) is not null;

    /// <summary>Until when <paramref name="ip"/> is locked, and how long that is from now; null if it is not locked.</summary>
    public (DateTimeOffset Until, TimeSpan Left)? LockOf(string ip)
    {
        var now = _time.GetUtcNow();
        return _records.TryGetValue(ip, out var record) && record.IsLocked(now) ? (record.LockedUntil, record.LockedUntil - now) : null;
    }

    /// <summary>
    /// How many more counted failures from <paramref name="ip"/> within the window lock it, as this node counts them (the
    /// shared count on PostgreSQL may be ahead); null if its failures are not counted (an exempt loopback address).
    /// </summary>
    public int? FailuresLeft(string ip)
    {
        if (_loopbackExempt && IPAddress.TryParse(ip, out var address) && IPAddress.IsLoopback(address))
        {
            return null;
        }

        if (!_records.TryGetValue(ip, out var record))
        {
            return _options.MaxFailures;
        }

        var now = _time.GetUtcNow();
        lock (record)
        {
            // A lock empties the count it ended.
            return record.IsLocked(now) ? 0 : Math.Max(0, _options.MaxFailures - record.Failures.Count(f => f >= now - _options.Window));
        }
    }

    /// <summary>The lock's rule in words: how many failures within how long lock an address, for how long.</summary>
    public string Rule => $"{_options.MaxFailures} within {_options.Window.TotalSeconds:0.###} s lock it for {_options.LockDuration.TotalSeconds:0.###} s";

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
        var lockedHere = false;
        lock (record)
        {
            if (record.IsLocked(now))
            {
                return;
            }

            var windowStart = now - _options.Window;
            while (record.Failures.Count > 0 && record.Failures.Peek() < windowStart)
            {
                record.Failures.Dequeue();
            }

            record.Failures.Enqueue(now);
            if (record.Failures.Count >= _options.MaxFailures)
            {
                Lock(ip, record, now + _options.LockDuration, record.Failures.Count, fromCatalog: false);
                lockedHere = true;
            }
        }

        if (!_shared.IsShared)
        {
            return;
        }

        // A lock is always shared (at most one per address per lock duration); a failure only while few are in flight.
        if (lockedHere)
        {
            _ = ShareLockAsync(ip, record.LockedUntil);
        }
        else if (_sharing.Wait(0))
        {
            _ = ShareFailureAsync(ip, now);
        }
    }

    /// <summary>Applies the locks a shared catalog holds: new ones lock here too, ones lifted on another node end here.</summary>
    public void Load(IReadOnlyList<IpLock> active)
    {
        if (!_shared.IsShared)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var locked = active.ToDictionary(l => l.Address, l => l.LockedUntil, StringComparer.Ordinal);
        foreach (var (ip, record) in _records)
        {
            lock (record)
            {
                // Only a lock the catalog has held can have been lifted there; one this node made and has not seen in
                // the catalog yet (its write in flight, or the catalog unreachable) stays.
                if (record.IsLocked(now) && record.FromCatalog && !locked.ContainsKey(ip))
                {
                    record.Lift();
                }
            }
        }

        foreach (var (ip, until) in locked)
        {
            var record = _records.GetOrAdd(ip, _ => new Record());
            lock (record)
            {
                if (record.LockedUntil < until)
                {
                    record.LockUntil(until);
                    record.Failures.Clear();
                }

                record.FromCatalog = true;
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

    /// <summary>
    /// Lifts the lock on <paramref name="ip"/> and forgets its failures, on every node of a shared catalog; false when it
    /// was not locked.
    /// </summary>
    public async Task<bool> LiftAsync(string ip, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var liftedShared = await _shared.LiftAsync(ip, now, cancellationToken);
        if (!_records.TryGetValue(ip, out var record))
        {
            return liftedShared;
        }

        lock (record)
        {
            var wasLocked = record.IsLocked(now);
            _records.TryRemove(new KeyValuePair<string, Record>(ip, record));
            return wasLocked || liftedShared;
        }
    }

    private void Lock(string ip, Record record, DateTimeOffset until, int failures, bool fromCatalog)
    {
        record.LockUntil(until);
        record.FromCatalog = fromCatalog;
        _metrics.IpLocks.Inc();
        LogLocked(_logger, ip, until, failures, _options.Window);
        record.Failures.Clear();
    }

    /// <summary>Counts the failure across the nodes; when the cluster's count reaches the limit first, locks here at once.</summary>
    private async Task ShareFailureAsync(string ip, DateTimeOffset now)
    {
        try
        {
            if (await _shared.RecordFailureAsync(ip, now, _options, CancellationToken.None) is not { } until)
            {
                return;
            }

            var record = _records.GetOrAdd(ip, _ => new Record());
            lock (record)
            {
                if (!record.IsLocked(_time.GetUtcNow()))
                {
                    Lock(ip, record, until, _options.MaxFailures, fromCatalog: true);
                }
            }
        }
        catch (Exception e)
        {
            LogNotShared(_logger, e, ip);
        }
        finally
        {
            _sharing.Release();
        }
    }

    /// <summary>Records a lock this node made on its own count in the shared catalog, so every node applies it.</summary>
    private async Task ShareLockAsync(string ip, DateTimeOffset until)
    {
        try
        {
            await _shared.ShareLockAsync(ip, until, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogLockNotShared(_logger, e, ip, until);
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

    [LoggerMessage(LogLevel.Warning, "A failed signature from {ClientIp} could not be counted in the shared catalog; this node's own "
        + "count still locks the address")]
    private static partial void LogNotShared(ILogger logger, Exception exception, string clientIp);

    [LoggerMessage(LogLevel.Warning, "The lock on {ClientIp} until {LockedUntil:o} could not be recorded in the shared catalog; the other "
        + "nodes lock the address on their own count")]
    private static partial void LogLockNotShared(ILogger logger, Exception exception, string clientIp, DateTimeOffset lockedUntil);

    private sealed class Record
    {
        private long _lockedUntilTicks;

        public Queue<DateTimeOffset> Failures { get; } = new();

        public DateTimeOffset LockedUntil => new(Volatile.Read(ref _lockedUntilTicks), TimeSpan.Zero);

        public void LockUntil(DateTimeOffset until) => Volatile.Write(ref _lockedUntilTicks, until.UtcTicks);

        public bool IsLocked(DateTimeOffset now) => now.UtcTicks < Volatile.Read(ref _lockedUntilTicks);

        /// <summary>The lock was seen in the shared catalog, so its absence there means it was lifted.</summary>
        public bool FromCatalog { get; set; }

        public void Lift()
        {
            LockUntil(DateTimeOffset.MinValue);
            FromCatalog = false;
            Failures.Clear();
        }
    }
}
