using Ccfs.Server.Catalog;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Lifecycle;

/// <summary>What one recovery pass did.</summary>
/// <param name="Finished">Unfinished uploads, deletes and copy deletes brought to their end.</param>
/// <param name="Failed">Ones that could not be finished now (a location failing); the next pass tries again.</param>
/// <param name="Left">Ones left to the live node instance that owns them.</param>
public readonly record struct RecoveryPass(int Finished, int Failed, int Left);

/// <summary>
/// Finishes work whose owner is gone: node instances that are no longer alive (<see cref="INodeRegistry"/>), or this
/// instance when no request of it holds the path any more (<see cref="WorkInProgress"/>: a request gave up half-way).
/// A pending upload whose copies are all in place is stored (the client may have been answered); one missing a copy is
/// undone, after this node takes the row over, so that its owner, if only frozen, cannot store it meanwhile. A row or copy
/// marked deleting is deleted. Before each step the row is read again, so work a live owner finished meanwhile is left
/// alone; every step is idempotent, so two nodes finishing the same work do no harm. Also removes the temporary files of
/// instances that are gone, after making sure each location is the one set up (<see cref="IFileStore.OpenAsync"/>): a
/// disk location whose folder lost its marker is refused, and the pass waits.
/// </summary>
public sealed partial class WorkRecovery(IFileCatalog catalog, LocationSet locations, INodeRegistry nodes, NodeIdentity node,
    WorkInProgress inProgress, LateWrites lateWrites, ILogger<WorkRecovery> logger)
{
    /// <summary>Unfinished rows read per pass; a larger backlog is finished over several passes.</summary>
    public const int PassSize = 1000;

    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>Locations refused as missing at the last pass (only touched under <see cref="_running"/>), so each is logged once.</summary>
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);

    public async Task<RecoveryPass> RunAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            var live = await nodes.LiveInstancesAsync(cancellationToken);
            var unanswered = new List<string>();
            foreach (var store in locations.Stores)
            {
                try
                {
                    var opening = await store.OpenAsync(ct => catalog.HoldsCopiesAsync(store.LocationId, ct), cancellationToken);
                    if (opening != LocationOpening.Known)
                    {
                        LogOpened(logger, store.LocationId, opening == LocationOpening.Created
                            ? "a new location: its folder is set up"
                            : "its folder, from an earlier release or a restore, holds files but no marker yet; it is given one");
                    }

                    if (_missing.Remove(store.LocationId))
                    {
                        LogBack(logger, store.LocationId);
                    }

                    await store.SweepTemporaryFilesAsync(live, cancellationToken);
                }
                catch (LocationMissingException e)
                {
                    // Its folder is not the location's (a disk not mounted): nothing is written there, and unfinished work
                    // waits, or an upload whose copy sits on the missing disk would be undone in every location.
                    if (_missing.Add(store.LocationId))
                    {
                        LogMissing(logger, store.LocationId, e.Message);
                    }

                    unanswered.Add(store.LocationId);
                }
                catch (Exception e) when (StorageFailure.IsTransient(e))
                {
                    // A store slow or out of reach for a moment must not stop the server starting: readiness reports the
                    // location, and leftovers wait for the next pass. A refusal (wrong keys, no bucket) still stops it.
                    LogSweepFailed(logger, e, store.LocationId);
                    unanswered.Add(store.LocationId);
                }
            }

            if (unanswered.Count > 0)
            {
                // Each unfinished item would wait out the store's timeout in turn, holding the start for minutes.
                LogPassPostponed(logger, string.Join(", ", unanswered));
                return new RecoveryPass(0, 0, 0);
            }

            int finished = 0, failed = 0, left = 0;
            var unfinished = await catalog.ListUnfinishedAsync(PassSize, cancellationToken);
            if (unfinished.Count < PassSize)
            {
                lateWrites.Keep(unfinished.Select(w => w.Record.Path).ToHashSet(StringComparer.Ordinal));
            }

            foreach (var work in unfinished)
            {
                if (!IsAbandoned(work.Owner, work.Record.Path, live))
                {
                    left++;
                    continue;
                }

                try
                {
                    if (await FinishAsync(work, cancellationToken))
                    {
                        finished++;
                    }
                }
                catch (Exception e) when (StorageFailure.Is(e))
                {
                    failed++;
                    LogFailed(logger, e, work.Record.FileName, Describe(work));
                }
            }

            if (finished + failed > 0)
            {
                LogPass(logger, finished, failed, left);
            }

            return new RecoveryPass(finished, failed, left);
        }
        finally
        {
            _running.Release();
        }
    }

    private bool IsAbandoned(string? owner, string path, IReadOnlySet<string> live) =>
        owner is null || !live.Contains(owner) || (owner == node.Instance && !inProgress.Contains(path));

    /// <returns>Whether anything was done; false when the work had changed hands or ended since it was listed.</returns>
    private async Task<bool> FinishAsync(UnfinishedWork work, CancellationToken cancellationToken)
    {
        var path = work.Record.Path;
        var storagePath = work.Record.StoragePath;
        if (work.LocationId is { } locationId)
        {
            // A copy being deleted: remove its bytes, then the mark. Both steps are no-ops once done.
            if (locations.Find(locationId) is not { } store)
            {
                LogUnknownLocation(logger, work.Record.FileName, locationId);
                return false;
            }

            await store.DeleteAsync(storagePath, cancellationToken);
            await catalog.ForgetCopyAsync(path, locationId, cancellationToken);
            LogFinished(logger, work.Record.FileName, Describe(work), "the copy was removed");
            return true;
        }

        // Read again: a live owner may have finished it since the list was read.
        if (await catalog.StateOfAsync(path, cancellationToken) is not { } now || now.State != work.State || now.Owner != work.Owner)
        {
            return false;
        }

        // Fenced before any copy is looked at: an owner only frozen (past its lease) that wakes can no longer store the
        // row as its own, and leaves the copies to this decision (CommitOutcome.TakenOver).
        if (work.State == FileState.Pending && !await catalog.TakeOverPendingAsync(path, work.Owner, cancellationToken))
        {
            return false;
        }

        if (work.State == FileState.Pending && await AllCopiesInPlaceAsync(storagePath, cancellationToken))
        {
            if (await catalog.StoreRecoveredAsync(path, locations.Ids, cancellationToken))
            {
                LogFinished(logger, work.Record.FileName, Describe(work), "every copy was in place, so it is stored");
            }

            return true;
        }

        // Committed to the undo before a copy goes: should this node freeze past its lease here, another node's recovery
        // finishes the undo rather than storing the row while these deletes may still come.
        if (work.State == FileState.Pending && !await catalog.BeginUndoAsync(path, cancellationToken))
        {
            return false;
        }

        await locations.DeleteEverywhereAsync(storagePath);
        if (!lateWrites.Settled(path))
        {
            // The upload's write, whose answer was lost, may still land: deleted again once its window has passed.
            return false;
        }

        await catalog.RemoveAsync(path, cancellationToken);
        LogFinished(logger, work.Record.FileName, Describe(work),
            work.State switch
            {
                FileState.Pending => "a copy was missing, so it was undone",
                FileState.Undoing => "its undo was finished",
                _ => "every copy and the row were removed",
            });
        return true;
    }

    private async Task<bool> AllCopiesInPlaceAsync(StoragePath storagePath, CancellationToken cancellationToken)
    {
        foreach (var store in locations.Stores)
        {
            if (!await store.ExistsAsync(storagePath, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(UnfinishedWork work) => work.LocationId is { } location
        ? $"delete of the copy in location {location}"
        : work.State switch
        {
            FileState.Pending => "upload",
            FileState.Undoing => "undo of an upload",
            _ => "delete",
        };

    [LoggerMessage(LogLevel.Information, "Recovered the interrupted {Work} of {FileName}: {Outcome}")]
    private static partial void LogFinished(ILogger logger, string fileName, string work, string outcome);

    [LoggerMessage(LogLevel.Warning, "The interrupted {Work} of {FileName} could not be finished now; the next recovery pass tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception, string fileName, string work);

    [LoggerMessage(LogLevel.Warning, "Location {Location} failed for now (slow, busy or out of reach) while its leftover temporary files were removed; the next recovery pass tries again")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, string location);

    [LoggerMessage(LogLevel.Information, "Location {Location}: {What}")]
    private static partial void LogOpened(ILogger logger, string location, string what);

    [LoggerMessage(LogLevel.Error, "Location {Location} is refused until its folder is back: {Reason}")]
    private static partial void LogMissing(ILogger logger, string location, string reason);

    [LoggerMessage(LogLevel.Information, "Location {Location} is back: its folder has its marker again")]
    private static partial void LogBack(ILogger logger, string location);

    [LoggerMessage(LogLevel.Warning, "Unfinished uploads and deletes wait for the next recovery pass: location(s) {Locations} failed for now")]
    private static partial void LogPassPostponed(ILogger logger, string locations);

    [LoggerMessage(LogLevel.Warning, "{FileName} has a copy being deleted in location {Location}, which is not configured; it is left")]
    private static partial void LogUnknownLocation(ILogger logger, string fileName, string location);

    [LoggerMessage(LogLevel.Information, "Recovery pass: {Finished} finished, {Failed} failed (retried later), {Left} left to their live owners")]
    private static partial void LogPass(ILogger logger, int finished, int failed, int left);
}

/// <summary>Runs <see cref="WorkRecovery"/> every <c>Ccfs:Catalog:RecoveryInterval</c>, after the start-up pass.</summary>
public sealed partial class RecoverySweeper(WorkRecovery recovery, Configuration.CcfsSettings settings, TimeProvider time,
    ILogger<RecoverySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Catalog.RecoveryInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await recovery.RunAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(LogLevel.Warning, "A recovery pass failed; the next one tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
