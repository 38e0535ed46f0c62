using System.Security.Cryptography;
using Ccfs.Audio;
using Ccfs.Server.Catalog;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Lifecycle;

/// <summary>What became of a validated file: its catalog row once stored, or why nothing was kept.</summary>
/// <param name="NameTaken">A name asked for (<c>name</c>) is already a file's; nothing was kept.</param>
/// <param name="QuotaFull">The file did not fit in the VDN's quota; nothing was kept.</param>
public readonly record struct PromptWriteResult(FileRecord? Record, string? Failure, bool NameTaken = false, Quotas.QuotaRefusal? QuotaFull = null)
{
    public bool Stored => Record is not null;
}

/// <summary>
/// Stores a file that already passed validation under a VDN's upload folder, for uploadFile and the admin upload
/// alike. The bytes are staged in every location (written and fsynced where no reader looks) while the catalog's writer
/// reserves the name (a durable pending row); then every copy is placed under the name (link and folder fsync), and the row is
/// marked stored. The reservation takes the file's share of the VDN's quota in the same transaction, and a file that
/// does not fit is refused there (logged once, counted). The answer is given once the copies and the pending row are durable: if a crash takes the last mark,
/// recovery finds every copy in place and stores the row. Nothing is kept unless every step succeeded. Counts the
/// bytes of every acknowledged copy.
/// </summary>
public sealed partial class PromptWriter(LocationSet locations, IFileCatalog catalog, WorkInProgress inProgress, LateWrites lateWrites, NodeIdentity node,
    TimeProvider time, CcfsMetrics metrics, Quotas.QuotaMetrics quotaMetrics, ILogger<PromptWriter> log)
{
    private const int NameAttempts = 5;

    /// <param name="promptCheck">The prompt-quality findings (<see cref="PromptInspection"/>) kept with the file, if measured.</param>
    /// <param name="name">
    /// The file's name, for a seeded file that tests name again; null (every upload) for a generated one. A name given is
    /// tried once: if a file has it, <see cref="PromptWriteResult.NameTaken"/>.
    /// </param>
    public async Task<PromptWriteResult> StoreAsync(ReadOnlyMemory<byte> file, WaveValidation wave, int vdn,
        SystemParameters parameters, string accessKey, string? promptCheck = null, string? name = null)
    {
        var folder = parameters.UploadPathRule.FolderFor(vdn);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(file.Span));
        StagedCopies? staged = null;
        Exception? stageFailure = null;
        try
        {
            for (var attempt = 0; attempt < (name is null ? NameAttempts : 1); attempt++)
            {
                var path = folder + "/" + (name ?? GeneratedFileName.Create(time));
                var record = new FileRecord(path, $"{parameters.DriveLetter}:{path}", vdn, file.Length, sha256,
                    WaveEncodingNames.ConfigName(wave.Encoding), (long)wave.Duration.TotalMilliseconds, accessKey,
                    time.GetUtcNow(), locations.Ids, promptCheck);
                using var working = inProgress.Begin(record.Path);

                // The writer reserves the name while this thread writes and fsyncs the bytes: two waits for the disk overlap.
                var reservation = catalog.ReserveWithinAsync(record, parameters.Quota, CancellationToken.None);
                if (staged is null && stageFailure is null)
                {
                    try
                    {
                        staged = await locations.StageEverywhereAsync(file);
                    }
                    catch (Exception e)
                    {
                        stageFailure = e;
                    }
                }

                var (outcome, cause) = await StoreAsync(record, reservation, staged, stageFailure);
                // Complete by now; null when it failed (the outcome says so).
                var reserved = reservation.IsCompletedSuccessfully ? await reservation : null;
                if (outcome == StoreOutcome.QuotaFull)
                {
                    var held = reserved!;
                    var refusal = new Quotas.QuotaRefusal(vdn, held.Files, held.Bytes, file.Length, parameters.Quota);
                    quotaMetrics.Refusals.WithLabels(vdn.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Limit).Inc();
                    LogQuotaFull(log, vdn, refusal.Reason);
                    return new PromptWriteResult(null, refusal.Reason, QuotaFull: refusal);
                }

                if (reserved?.WarningPercent is { } percent)
                {
                    LogQuotaWarning(log, vdn, percent, parameters.Quota.Describe(reserved.Files, reserved.Bytes));
                }

                if (outcome == StoreOutcome.NameTaken)
                {
                    continue;
                }

                if (outcome == StoreOutcome.Undecided)
                {
                    return new PromptWriteResult(null, "the catalog did not confirm that the file was stored; recovery stores it if "
                        + "every copy is in place, as after a lost answer, and removes the copies otherwise");
                }

                if (outcome != StoreOutcome.Stored)
                {
                    return new PromptWriteResult(null, StorageFailure.IsDiskFull(cause)
                        ? "the file could not be stored: the disk is full; nothing was kept"
                        : "the file could not be stored; nothing was kept");
                }

                metrics.BytesStored.Inc((double)file.Length * record.Locations.Count);
                return new PromptWriteResult(record, null);
            }

            return name is null
                ? new PromptWriteResult(null, $"no free file name after {NameAttempts} attempts")
                : new PromptWriteResult(null, $"{folder}/{name} exists", NameTaken: true);
        }
        finally
        {
            if (staged is not null)
            {
                await staged.DisposeAsync();
            }
        }
    }

    private enum StoreOutcome
    {
        Stored,
        NameTaken,
        QuotaFull,
        Failed,

        /// <summary>The catalog did not confirm the store, or another node took the upload over: recovery decides.</summary>
        Undecided,
    }

    /// <summary>Given the reservation and the staged copies: place them, then store the row; undo everything on any failure.</summary>
    private async Task<(StoreOutcome Outcome, Exception? Cause)> StoreAsync(FileRecord record, Task<Reservation> reservation, StagedCopies? staged, Exception? stageFailure)
    {
        try
        {
            switch ((await reservation).Outcome)
            {
                case ReserveOutcome.NameTaken:
                    return (StoreOutcome.NameTaken, null);
                case ReserveOutcome.QuotaFull:
                    return (StoreOutcome.QuotaFull, null);
            }
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "reserving the name");
            return (StoreOutcome.Failed, e);
        }

        if (staged is null)
        {
            LogStoreFailed(log, stageFailure!, record.FileName, "writing the copies");
            await ReleaseAsync(record);
            return (StoreOutcome.Failed, stageFailure);
        }

        IReadOnlyList<WrittenCopy> copies;
        try
        {
            copies = await staged.PlaceAsync(record.StoragePath);
        }
        catch (FileAlreadyExistsException)
        {
            // A file the catalog does not know has the name (placed by hand): try another name with the same staged bytes.
            await ReleaseAsync(record);
            return (StoreOutcome.NameTaken, null);
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "writing the copies");
            return await AfterFailedPlacementAsync(record, e);
        }

        CommitOutcome committed;
        try
        {
            committed = await catalog.CommitAsync(record.Path, record.Locations, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The commit may have been written and its answer lost: undoing the copies now could strip a stored row.
            LogStoreFailed(log, e, record.FileName, "marking the catalog row stored");
            return await AfterUnknownCommitAsync(record, copies, e);
        }

        return committed switch
        {
            CommitOutcome.Stored or CommitOutcome.AlreadyStored => (StoreOutcome.Stored, null),
            // Another node's recovery took the row over (this node was thought gone); the copies are its to judge.
            CommitOutcome.TakenOver => (StoreOutcome.Undecided, null),
            _ => await UndoAsync(record, copies, null),
        };
    }

    /// <summary>
    /// The commit's outcome is unknown: the row is read again. Stored, the upload stands; still this node's and pending,
    /// nothing was written and the upload is undone; another's, that node decides. Unreadable, the pending row and the
    /// copies stay: once this request is over, recovery stores the file if every copy is in place (as after a lost
    /// answer), or removes them.
    /// </summary>
    private async Task<(StoreOutcome Outcome, Exception? Cause)> AfterUnknownCommitAsync(FileRecord record, IReadOnlyList<WrittenCopy> copies,
        Exception failure)
    {
        (FileState State, string? Owner)? now;
        try
        {
            now = await catalog.StateOfAsync(record.Path, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "reading the row again after its commit failed (recovery decides)");
            return (StoreOutcome.Undecided, failure);
        }

        return now switch
        {
            { State: FileState.Stored } => (StoreOutcome.Stored, null),
            { State: FileState.Pending, Owner: var owner } when owner == node.Instance => await UndoAsync(record, copies, failure),
            null => await UndoAsync(record, copies, failure),
            _ => (StoreOutcome.Undecided, failure),
        };
    }

    /// <summary>
    /// Undoes an upload whose row was not stored: commits this node to the undo (<see cref="IFileCatalog.BeginUndoAsync"/>),
    /// then removes the copies, then the row. Once committed no node can store it; a row another node's recovery took over
    /// meanwhile is left to it, copies and all; with no row left, the copies are this request's alone to remove.
    /// </summary>
    private async Task<(StoreOutcome Outcome, Exception? Cause)> UndoAsync(FileRecord record, IReadOnlyList<WrittenCopy> copies, Exception? failure)
    {
        bool undoing;
        try
        {
            undoing = await catalog.BeginUndoAsync(record.Path, CancellationToken.None);
            if (!undoing && await catalog.StateOfAsync(record.Path, CancellationToken.None) is not null)
            {
                return (StoreOutcome.Undecided, failure);
            }
        }
        catch (Exception e)
        {
            // The pending row and its copies stay: once this request is over, recovery stores or undoes it.
            LogStoreFailed(log, e, record.FileName, "committing to its undo (recovery decides)");
            return (StoreOutcome.Undecided, failure ?? e);
        }

        try
        {
            await locations.UndoEverywhereAsync(copies);
        }
        catch (Exception cleanup)
        {
            if (undoing)
            {
                // The row says an undo is under way: recovery finishes it once this request is over.
                LogStoreFailed(log, cleanup, record.FileName, "removing the copies of the undone upload (recovery will)");
            }
            else
            {
                LogCopiesLeft(log, cleanup, record.FileName);
            }

            return (StoreOutcome.Failed, failure ?? cleanup);
        }

        if (undoing)
        {
            try
            {
                await catalog.RemoveAsync(record.Path, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogStoreFailed(log, e, record.FileName, "forgetting the undone upload (recovery will)");
            }
        }

        return (StoreOutcome.Failed, failure);
    }

    /// <summary>
    /// A placement failed, yet a copy may be in a location: one whose answer was lost (an S3 <c>PUT</c> the store
    /// finished after its time-out) or whose undo failed. The name is released only after a delete of every copy
    /// succeeded; until then the row stays, committed to its undo (<see cref="FileState.Undoing"/>: no copy of it is
    /// served, and recovery removes them, then the row). Only a refusal that wrote nothing (a location missing, a link
    /// on the way) releases the name at once.
    /// </summary>
    private async Task<(StoreOutcome Outcome, Exception? Cause)> AfterFailedPlacementAsync(FileRecord record, Exception failure)
    {
        if (failure is StorageFailedException { CopiesLeft: false } placement
            && placement.Failures.All(f => f is LocationMissingException or OutsideRootException or FileAlreadyExistsException))
        {
            await ReleaseAsync(record);
            return (StoreOutcome.Failed, failure);
        }

        try
        {
            if (!await catalog.BeginUndoAsync(record.Path, CancellationToken.None))
            {
                // Another node's recovery took the row over: it decides, copies and all.
                return (StoreOutcome.Undecided, failure);
            }
        }
        catch (Exception e)
        {
            // The pending row stays: once this request is over, recovery stores the file if every copy is in place, or removes them.
            LogStoreFailed(log, e, record.FileName, "committing to its undo (recovery decides)");
            return (StoreOutcome.Undecided, failure);
        }

        try
        {
            await locations.DeleteEverywhereAsync(record.StoragePath);
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "removing any copy of the failed placement (recovery will, then releases the name)");
            if (locations.LateWriteWindow > TimeSpan.Zero && StorageFailure.MayLandLate(failure))
            {
                // The store may be frozen for the delete as for the write: recovery's first delete that succeeds starts the window.
                lateWrites.Expect(record.Path);
            }

            return (StoreOutcome.Failed, failure);
        }

        if (locations.LateWriteWindow > TimeSpan.Zero && StorageFailure.MayLandLate(failure))
        {
            // A write whose answer was lost may still land after that delete (a frozen store runs its queue once it
            // thaws): the row stays committed to its undo, so no copy is served and no upload takes the name, and
            // recovery deletes again once the window has passed before it frees the name.
            lateWrites.Deleted(record.Path);
            return (StoreOutcome.Failed, failure);
        }

        try
        {
            await catalog.RemoveAsync(record.Path, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "forgetting the undone upload (recovery will)");
        }

        return (StoreOutcome.Failed, failure);
    }

    private async Task ReleaseAsync(FileRecord record)
    {
        try
        {
            await catalog.ReleaseAsync(record.Path, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "releasing the name (recovery will)");
        }
    }

    [LoggerMessage(LogLevel.Warning, "Upload to VDN {Vdn} refused: {Reason}")]
    private static partial void LogQuotaFull(ILogger logger, int vdn, string reason);

    [LoggerMessage(LogLevel.Warning, "VDN {Vdn} crossed {Percent}% of its quota: {Usage}")]
    private static partial void LogQuotaWarning(ILogger logger, int vdn, int percent, string usage);

    [LoggerMessage(LogLevel.Error, "Upload of {FileName} failed after another node's recovery undid it, and removing its copies failed: "
        + "they are left in the locations with no catalog row, to be deleted by hand")]
    private static partial void LogCopiesLeft(ILogger logger, Exception exception, string fileName);

    [LoggerMessage(LogLevel.Error, "Upload of {FileName} failed while {Step}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string fileName, string step);
}
