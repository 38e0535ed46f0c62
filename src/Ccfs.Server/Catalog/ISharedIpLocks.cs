using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Catalog;

/// <summary>
/// The IP lock's failures and locks as every node of a shared catalog sees them, so an attacker spreading guesses over
/// the nodes behind a load balancer meets one limit, and a lock or a lift on one node holds on all of them (each change
/// is announced like an account change). A catalog of one node shares nothing: <see cref="IsShared"/> is false.
/// </summary>
public interface ISharedIpLocks
{
    bool IsShared { get; }

    /// <summary>Counts a failure of <paramref name="address"/>; the lock's end when this one reached the limit, else null.</summary>
    Task<DateTimeOffset?> RecordFailureAsync(string address, DateTimeOffset now, IpLockOptions options, CancellationToken cancellationToken);

    /// <summary>Records a lock this node made on its own count, so every node applies it.</summary>
    Task ShareLockAsync(string address, DateTimeOffset lockedUntil, CancellationToken cancellationToken);

    /// <summary>The locks that have not ended at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<IpLock>> ActiveAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Lifts the lock on <paramref name="address"/> and forgets its failures; false when it was not locked.</summary>
    Task<bool> LiftAsync(string address, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>One node's catalog (SQLite): the node's memory is the whole truth.</summary>
public sealed class UnsharedIpLocks : ISharedIpLocks
{
    public bool IsShared => false;

    public Task<DateTimeOffset?> RecordFailureAsync(string address, DateTimeOffset now, IpLockOptions options, CancellationToken cancellationToken) =>
        Task.FromResult<DateTimeOffset?>(null);

    public Task ShareLockAsync(string address, DateTimeOffset lockedUntil, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<IpLock>> ActiveAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<IpLock>>([]);

    public Task<bool> LiftAsync(string address, DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(false);
}
