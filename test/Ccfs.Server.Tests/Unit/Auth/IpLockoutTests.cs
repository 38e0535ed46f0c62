using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ccfs.Server.Tests.Unit.Auth;

/// <summary>
/// The IP lock of one node against a shared catalog whose answers the test holds: which locks a refresh from the catalog
/// lifts, and how many failures are counted there at once.
/// </summary>
public sealed class IpLockoutTests
{
    private const string Address = "203.0.113.7";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
    private readonly HeldSharedLocks _shared = new();

    [Fact]
    public void A_lock_made_here_that_the_catalog_has_not_held_yet_survives_a_refresh_without_it()
    {
        var lockout = Lockout();

        Fail(lockout, Address, 3);
        lockout.Load([]);

        Assert.True(lockout.IsLocked(Address));
    }

    [Fact]
    public void A_lock_the_catalog_held_ends_here_when_a_refresh_no_longer_lists_it()
    {
        var lockout = Lockout();
        lockout.Load([new IpLock(Address, _time.GetUtcNow().AddMinutes(10))]);
        Assert.True(lockout.IsLocked(Address));

        lockout.Load([]);

        Assert.False(lockout.IsLocked(Address));
        Assert.Empty(lockout.List());
    }

    [Fact]
    public void A_lock_made_here_and_then_seen_in_the_catalog_is_lifted_with_it()
    {
        var lockout = Lockout();
        Fail(lockout, Address, 3);
        var until = Assert.Single(lockout.List()).LockedUntil;

        lockout.Load([new IpLock(Address, until)]);
        lockout.Load([]);

        Assert.False(lockout.IsLocked(Address));
    }

    [Fact]
    public async Task At_most_64_failures_are_counted_in_the_catalog_at_once()
    {
        var lockout = Lockout(maxFailures: 1000);

        for (var i = 0; i < 100; i++)
        {
            lockout.RecordFailure($"198.51.100.{i}");
        }

        Assert.Equal(64, _shared.FailuresInFlight);
        Assert.Equal(64, _shared.FailuresCounted);

        // The answers are handled on the thread pool; once they are, failures are shared again.
        _shared.Answer();
        Assert.True(SpinWait.SpinUntil(() => _shared.FailuresInFlight == 0, TimeSpan.FromSeconds(30)));
        for (var i = 0; i < 3000 && _shared.FailuresCounted == 64; i++)
        {
            lockout.RecordFailure($"192.0.2.{i % 250}");
            await Task.Delay(10);
        }

        Assert.Equal(65, _shared.FailuresCounted);
    }

    [Fact]
    public void Failures_past_the_64_in_flight_still_count_here_and_the_lock_they_make_is_shared()
    {
        var lockout = Lockout(maxFailures: 2);
        for (var i = 0; i < 64; i++)
        {
            lockout.RecordFailure($"198.51.100.{i}");
        }

        Fail(lockout, Address, 2);

        Assert.True(lockout.IsLocked(Address));
        Assert.Equal(64, _shared.FailuresInFlight);
        Assert.Equal([Address], _shared.LocksShared);
    }

    private static void Fail(IpLockout lockout, string address, int times)
    {
        for (var i = 0; i < times; i++)
        {
            lockout.RecordFailure(address);
        }
    }

    private IpLockout Lockout(int maxFailures = 3)
    {
        var settings = CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ccfs:Auth:IpLock:MaxFailures"] = maxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build());
        return new IpLockout(settings, _time, _shared, new CcfsMetrics(), NullLogger<IpLockout>.Instance);
    }

    /// <summary>A shared catalog that holds every failure's answer until <see cref="Answer"/>, and shares locks at once.</summary>
    private sealed class HeldSharedLocks : ISharedIpLocks
    {
        private readonly TaskCompletionSource<DateTimeOffset?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _counted;

        public bool IsShared => true;

        public int FailuresInFlight => Volatile.Read(ref _inFlight);

        public int FailuresCounted => Volatile.Read(ref _counted);

        public List<string> LocksShared { get; } = [];

        public void Answer() => _answer.SetResult(null);

        public async Task<DateTimeOffset?> RecordFailureAsync(string address, DateTimeOffset now, IpLockOptions options, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _counted);
            Interlocked.Increment(ref _inFlight);
            try
            {
                return await _answer.Task;
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public Task ShareLockAsync(string address, DateTimeOffset lockedUntil, CancellationToken cancellationToken)
        {
            lock (LocksShared)
            {
                LocksShared.Add(address);
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<IpLock>> ActiveAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<IpLock>>([]);

        public Task<bool> LiftAsync(string address, DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
