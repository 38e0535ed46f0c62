using Ccfs.Server.Audit;
using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Quotas;

/// <summary>
/// Deletes what retention says is expired, through the ordinary delete path (every location, then the catalog, with the
/// audit entry and a <c>ccfs.file.expired</c> event; a file only the locations hold has no row and so no event), at most <c>Ccfs:Retention:DeletesPerSecond</c>. Each VDN is swept
/// once per <c>Ccfs:Retention:SweepInterval</c> across all nodes, by the one node that claimed its sweep in the catalog;
/// a sweep whose node died is resumed by any node once that node's lease ran out. Every file is checked again just
/// before its delete, so a sweep resumed late, or under a <c>retainFor</c> raised meanwhile, deletes only what is expired.
/// </summary>
public sealed partial class RetentionSweeper(RetentionStore store, RetentionCandidates candidates, IFileCatalog catalog, AccountDirectory accounts,
    FileRemoval removal,
    INodeRegistry nodes, NodeIdentity node, RuntimeParameters parameters, RetentionOptions options, AuditTrail audit, QuotaMetrics metrics,
    TimeProvider time, ILogger<RetentionSweeper> log) : BackgroundService
{
    private const int BatchSize = 100;

    // One pass at a time in this process: the claim keeps other nodes out, and this keeps out this node's own second caller.
    private readonly SemaphoreSlim _passing = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        if (!options.Enabled)
        {
            // Off, no sweep starts here; a delete a node began and left is still finished, from the first tick on.
            LogDisabled(log);
            if (!await WaitAsync(timer, stoppingToken))
            {
                return;
            }
        }

        do
        {
            try
            {
                await PassAsync(options.Enabled, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopped mid-pass: the sweep's claim is resumed by whoever looks next (this instance, or another once it is gone).
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>How often the sweeper looks: a sweep left by a dead node waits for the next look at most, however long the interval.</summary>
    private TimeSpan Tick => options.SweepInterval < TimeSpan.FromMinutes(1) ? options.SweepInterval : TimeSpan.FromMinutes(1);

    /// <summary>Sweeps each VDN with a <c>retainFor</c> whose sweep is due and free, or was left by a node that is gone.</summary>
    public Task SweepDueAsync(CancellationToken cancellationToken) => PassAsync(sweeping: true, cancellationToken);

    /// <summary>A sweep of each due VDN; or, <paramref name="sweeping"/> false, only the deletes a node left.</summary>
    private async Task PassAsync(bool sweeping, CancellationToken cancellationToken)
    {
        await _passing.WaitAsync(cancellationToken);
        try
        {
            await SweepEachDueAsync(sweeping, cancellationToken);
        }
        finally
        {
            _passing.Release();
        }
    }

    private async Task SweepEachDueAsync(bool sweeping, CancellationToken cancellationToken)
    {
        // A VDN may hold only recordings: no catalog usage, perhaps only the global retainFor, perhaps no account either.
        IEnumerable<int> vdns = sweeping
            ? (await catalog.ListUsageAsync(cancellationToken)).Select(u => u.VdnId).Union(parameters.Overrides.Vdns.Keys)
                .Union(accounts.BoundVdns).Union(await candidates.VdnsInLocationsAsync(cancellationToken))
                .Union(await store.VdnsWithExpiryClaimsAsync(cancellationToken)).Order()
            // And those whose sweep it still holds: a release that failed would otherwise keep every node off the VDN.
            : (await store.VdnsWithExpiryClaimsAsync(cancellationToken)).Union(await store.SweepsHeldAsync(node.Instance, cancellationToken));
        foreach (var vdn in vdns)
        {
            // A delete a node left is carried out even once the VDN keeps its files forever, or with sweeps off here: it
            // was committed to, as a stored file's marked delete is finished by recovery.
            var leftOnly = !sweeping || parameters.For(vdn).RetainFor is null;
            if (leftOnly && (await store.ExpiryClaimsAsync(vdn, cancellationToken)).Count == 0)
            {
                if (!sweeping)
                {
                    await store.ReleaseAsync(vdn, node.Instance, cancellationToken);
                }

                continue;
            }

            var sweep = await store.SweepOfAsync(vdn, cancellationToken);
            if (sweep.ClaimedBy is { } holder)
            {
                if (holder != node.Instance && (await nodes.LiveInstancesAsync(cancellationToken)).Contains(holder))
                {
                    continue;
                }
            }
            // Sweeps start one interval apart: a look that comes a little early (within half a tick) is the one that is due,
            // or a sweep would wait a whole tick more each time. Left deletes are not a sweep, and do not wait for one.
            else if (!leftOnly && sweep.LastSweptAt + options.SweepInterval - (Tick / 2) > time.GetUtcNow())
            {
                continue;
            }

            if (sweep.ClaimedBy != node.Instance && !await store.ClaimAsync(vdn, sweep.ClaimedBy, node.Instance, cancellationToken))
            {
                continue;
            }

            if (sweep.ClaimedBy is { } left && left != node.Instance)
            {
                LogResumed(log, vdn, left);
            }

            if (leftOnly)
            {
                await FinishLeftOnlyAsync(vdn, cancellationToken);
                continue;
            }

            try
            {
                var started = time.GetUtcNow();
                var (deleted, bytes) = await SweepAsync(vdn, cancellationToken);
                await store.FinishAsync(vdn, node.Instance, started, cancellationToken);
                if (deleted > 0)
                {
                    LogSwept(log, vdn, deleted, bytes, parameters.For(vdn).RetainFor);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(log, e);
                await store.ReleaseAsync(vdn, node.Instance, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Only the deletes a node left, under the VDN's sweep claim, which is then given back with its schedule as it was:
    /// no sweep happened.
    /// </summary>
    private async Task FinishLeftOnlyAsync(int vdn, CancellationToken cancellationToken)
    {
        try
        {
            await FinishLeftDeletesAsync(vdn, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(log, e);
        }
        finally
        {
            await store.ReleaseAsync(vdn, node.Instance, CancellationToken.None);
        }
    }

    /// <summary>The catalog's expired files first, then those only the locations hold; stops where the sweep was taken away.</summary>
    private async Task<(int Deleted, long Bytes)> SweepAsync(int vdn, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.FromSeconds(1 / options.DeletesPerSecond);
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        var (deleted, bytes) = (await FinishLeftDeletesAsync(vdn, cancellationToken), 0L);
        while (true)
        {
            var batch = (await candidates.ExpiredAsync(vdn, BatchSize + skipped.Count, cancellationToken)).Where(f => !skipped.Contains(f.Path)).ToList();
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var file in batch)
            {
                // Another node took the sweep (this one was thought gone): it goes on from here.
                if (!await store.HoldsAsync(vdn, node.Instance, cancellationToken))
                {
                    return (deleted, bytes);
                }

                if (await ExpireUnlessOutsideAsync(vdn, file, cancellationToken) is not { } removed)
                {
                    skipped.Add(file.Path);
                    continue;
                }

                (deleted, bytes) = removed ? (deleted + 1, bytes + file.SizeBytes) : (deleted, bytes);
                await Task.Delay(pause, time, cancellationToken);
            }
        }

        // A location's listing goes on past each delete; a file two locations held is gone when the second lists it.
        await foreach (var file in candidates.StoreOnlyExpiredAsync(vdn, cancellationToken))
        {
            if (!await store.HoldsAsync(vdn, node.Instance, cancellationToken))
            {
                return (deleted, bytes);
            }

            if (await ExpireUnlessOutsideAsync(vdn, file, cancellationToken) is { } done)
            {
                (deleted, bytes) = done ? (deleted + 1, bytes + file.SizeBytes) : (deleted, bytes);
                await Task.Delay(pause, time, cancellationToken);
            }
        }

        return (deleted, bytes);
    }

    /// <summary>
    /// Carries out the recording deletes a node committed to (claimed) and did not finish: killed, or frozen past its
    /// lease and perhaps about to wake up and delete. Dropping the claim instead would let a pin in while that node may
    /// still delete the file; carried out, the claim holds until the copies are gone, as a stored file's mark does.
    /// </summary>
    private async Task<int> FinishLeftDeletesAsync(int vdn, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var key in await store.ExpiryClaimsAsync(vdn, cancellationToken))
        {
            var fileName = $"{parameters.For(vdn).DriveLetter}:{key}";
            if (!await store.TakeExpiryClaimAsync(key, node.Instance, cancellationToken))
            {
                continue;
            }

            // A row names it now (an upload took the name): the row's file is not the one the claim was for.
            var finished = false;
            var started = time.GetUtcNow();
            if (!await store.HasRowAsync(key, cancellationToken) && LogicalPath.TryParse(fileName, fileName[0], out var path, out _))
            {
                try
                {
                    // No copy left: the node that left the claim unlinked them and did not record it, so it is counted
                    // here. A row naming the path since the look above: its file stays, and no delete happened.
                    finished = await removal.UnlistedAsync(path!) != UnlistedRemoval.RowNamesIt;
                }
                catch (OutsideRootException e)
                {
                    LogOutsideRoot(log, e, fileName, vdn);
                }
            }

            // The claim's holder at the end counts the delete, once: the node that left it counts it only if it still holds it.
            if (await store.DropExpiryClaimAsync(key, node.Instance, cancellationToken) && finished)
            {
                deleted++;
                Record(vdn, fileName, started, "expired: the delete a node that is gone had begun");
                LogFinishedLeftDelete(log, fileName, vdn);
            }
        }

        return deleted;
    }

    /// <summary>
    /// <see cref="ExpireAsync"/>, but a file whose path leads through a link out of a location is left alone (null), with
    /// a warning, and the sweep goes on: the delete refused it before marking anything.
    /// </summary>
    private async Task<bool?> ExpireUnlessOutsideAsync(int vdn, ExpiredFile file, CancellationToken cancellationToken)
    {
        try
        {
            return await ExpireAsync(vdn, file, cancellationToken);
        }
        catch (OutsideRootException e)
        {
            LogOutsideRoot(log, e, file.FileName, vdn);
            return null;
        }
    }

    /// <summary>
    /// Deletes <paramref name="file"/> everywhere if it is still expired, with its audit entry; null when it no longer
    /// is (left alone), false when it was gone already. The last word is the catalog's, in the step that commits to the
    /// delete: a stored file is marked only if still expired and unpinned, a recording only once claimed (no pin, no row).
    /// </summary>
    private async Task<bool?> ExpireAsync(int vdn, ExpiredFile file, CancellationToken cancellationToken)
    {
        if (!await candidates.StillExpiredAsync(vdn, file, cancellationToken)
            || !LogicalPath.TryParse(file.FileName, file.FileName[0], out var path, out _))
        {
            return null;
        }

        var started = time.GetUtcNow();
        if (!file.StoreOnly)
        {
            // Decided again as the row is marked: a pin or a new file under the name since the look above is kept.
            if (parameters.For(vdn).RetainFor is not { } retainFor || !await removal.ExpireAsync(path!, started - retainFor))
            {
                return null;
            }
        }
        else if (!await store.ClaimExpiryAsync(file.Path, vdn, node.Instance, started, cancellationToken))
        {
            return null;
        }
        else
        {
            // A file with no row has no catalog change to write an event in: its delete is audited and counted, not an event.
            UnlistedRemoval removed;
            try
            {
                removed = await removal.UnlistedAsync(path!);
            }
            catch
            {
                await store.DropExpiryClaimAsync(file.Path, node.Instance, CancellationToken.None);
                throw;
            }

            // Taken over meanwhile (this node was thought gone): the node that took the claim counts the delete.
            if (!await store.DropExpiryClaimAsync(file.Path, node.Instance, CancellationToken.None))
            {
                LogClaimTakenOver(log, file.FileName, vdn);
                return null;
            }

            if (removed != UnlistedRemoval.Removed)
            {
                // A row naming the path now: the file is that row's, left alone.
                return removed == UnlistedRemoval.NothingThere ? false : null;
            }
        }

        var age = file.StoreOnly ? $"last modified {file.CreatedAt:O}, no catalog row" : $"created {file.CreatedAt:O}";
        Record(vdn, file.FileName, started, $"expired: {age}, retainFor {parameters.For(vdn).RetainFor}");
        if (file.StoreOnly)
        {
            LogExpiredStoreOnly(log, file.FileName, vdn, file.CreatedAt);
        }
        else
        {
            LogExpired(log, file.FileName, vdn, file.CreatedAt);
        }

        return true;
    }

    /// <summary>Counts and audits one file retention deleted.</summary>
    private void Record(int vdn, string fileName, DateTimeOffset started, string detail)
    {
        metrics.Expired.WithLabels(vdn.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        audit.Record(new InterfaceCall("retention", "-", started)
        {
            AccessKey = EventTypes.RetentionActor,
            VdnId = vdn,
            File = fileName,
            Detail = detail,
        }, "0");
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Retention deleted {FileName} of VDN {Vdn}, created {CreatedAt:O}")]
    private static partial void LogExpired(ILogger logger, string fileName, int vdn, DateTimeOffset createdAt);

    [LoggerMessage(LogLevel.Information, "Retention deleted {FileName} of VDN {Vdn}, which no catalog row lists, last modified {LastModified:O}")]
    private static partial void LogExpiredStoreOnly(ILogger logger, string fileName, int vdn, DateTimeOffset lastModified);

    [LoggerMessage(LogLevel.Information, "Retention swept VDN {Vdn}: {Count} files, {Bytes} bytes older than {RetainFor} deleted")]
    private static partial void LogSwept(ILogger logger, int vdn, int count, long bytes, TimeSpan? retainFor);

    [LoggerMessage(LogLevel.Information, "Retention finished the delete of {FileName} of VDN {Vdn} that a node which is gone had begun")]
    private static partial void LogFinishedLeftDelete(ILogger logger, string fileName, int vdn);

    [LoggerMessage(LogLevel.Information, "Resuming the retention sweep of VDN {Vdn} left by node instance {Instance}")]
    private static partial void LogResumed(ILogger logger, int vdn, string instance);

    [LoggerMessage(LogLevel.Warning, "Retention left {FileName} of VDN {Vdn} alone: a link is now on its way, and retention follows none")]
    private static partial void LogOutsideRoot(ILogger logger, Exception exception, string fileName, int vdn);

    [LoggerMessage(LogLevel.Warning,
        "Retention's delete of {FileName} (VDN {Vdn}) was taken over by another node, which thought this one gone; that node counts it")]
    private static partial void LogClaimTakenOver(ILogger logger, string fileName, int vdn);

    [LoggerMessage(LogLevel.Information, "Retention sweeps are off on this node (Ccfs:Retention:Enabled=false): no sweep starts here, and only a delete a node began and left is finished")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "A retention sweep failed; the next tick tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
