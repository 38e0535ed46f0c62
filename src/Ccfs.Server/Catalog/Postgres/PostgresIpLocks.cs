using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Catalog.Postgres;

/// <summary>
/// The IP lock in the shared catalog: failures of all nodes counted together (in a window that starts with an address's
/// first failure, where each node's own count slides), locks announced on the change channel so every node applies them
/// within a moment. Times are the nodes' clocks, which the signature check already needs in step.
/// </summary>
public sealed class PostgresIpLocks(CatalogDatabase database) : ISharedIpLocks
{
    public bool IsShared => true;

    public Task<DateTimeOffset?> RecordFailureAsync(string address, DateTimeOffset now, IpLockOptions options, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync<DateTimeOffset?>(async (tx, ct) =>
        {
            // One row per address counts its failures since its window began; the upsert locks that row, so failures
            // counted on several nodes at once take turns and none is missed.
            var windowStart = now - options.Window;
            var failures = Convert.ToInt32(await tx.ScalarAsync("""
                INSERT INTO ip_failures (address, window_start, failures) VALUES (@address, @now, 1)
                ON CONFLICT (address) DO UPDATE SET
                    failures = CASE WHEN ip_failures.window_start < @windowStart THEN 1 ELSE ip_failures.failures + 1 END,
                    window_start = CASE WHEN ip_failures.window_start < @windowStart THEN @now ELSE ip_failures.window_start END
                RETURNING failures;
                """, ct, ("address", address), ("now", now), ("windowStart", windowStart)), System.Globalization.CultureInfo.InvariantCulture);
            await tx.ExecuteAsync("""
                DELETE FROM ip_failures WHERE address IN (SELECT address FROM ip_failures
                    WHERE window_start < @windowStart AND address <> @address LIMIT 100 FOR UPDATE SKIP LOCKED);
                """, ct, ("windowStart", windowStart), ("address", address));
            if (failures < options.MaxFailures)
            {
                return null;
            }

            var until = now + options.LockDuration;
            await LockAsync(tx, address, until, ct);
            return until;
        }, Durability.Deferred);

    public Task ShareLockAsync(string address, DateTimeOffset lockedUntil, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync((tx, ct) => new ValueTask(LockAsync(tx, address, lockedUntil, ct)), Durability.Deferred);

    private async Task LockAsync(CatalogTransaction tx, string address, DateTimeOffset until, CancellationToken ct)
    {
        await tx.ExecuteAsync("""
            INSERT INTO ip_locks (address, locked_until) VALUES (@address, @until)
            ON CONFLICT (address) DO UPDATE SET locked_until = greatest(ip_locks.locked_until, excluded.locked_until);
            """, ct, ("address", address), ("until", until));
        await tx.ExecuteAsync("DELETE FROM ip_failures WHERE address = @address;", ct, ("address", address));
        await database.AnnounceChangeAsync(tx, ct);
    }

    public async Task<IReadOnlyList<IpLock>> ActiveAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT address, locked_until FROM ip_locks WHERE locked_until > @now;",
            r => new IpLock(r.GetString(0), r.GetFieldValue<DateTimeOffset>(1)), cancellationToken, ("now", now));

    public Task<bool> LiftAsync(string address, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(async (tx, ct) =>
        {
            var lifted = await tx.ExecuteAsync("DELETE FROM ip_locks WHERE address = @address AND locked_until > @now;", ct,
                ("address", address), ("now", now)) == 1;
            await tx.ExecuteAsync("DELETE FROM ip_locks WHERE locked_until <= @now;", ct, ("now", now));
            await tx.ExecuteAsync("DELETE FROM ip_failures WHERE address = @address;", ct, ("address", address));
            if (lifted)
            {
                await database.AnnounceChangeAsync(tx, ct);
            }

            return lifted;
        });
}
