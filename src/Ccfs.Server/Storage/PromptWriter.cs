using System.Security.Cryptography;
using Ccfs.Audio;
using Ccfs.Server.Metadata;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Storage;

/// <summary>What became of a validated file: its catalog row once stored, or why nothing was kept.</summary>
public readonly record struct PromptWriteResult(FileRecord? Record, string? Failure)
{
    public bool Stored => Record is not null;
}

/// <summary>
/// Stores a file that already passed validation under a VDN's upload folder, for uploadFile and the admin upload
/// alike: name it, reserve the name in the catalog, write every location, then commit the row. Nothing is kept
/// unless every step succeeded. Counts the bytes of every acknowledged copy.
/// </summary>
public sealed partial class PromptWriter(LocationSet locations, IFileCatalog catalog, TimeProvider time, CcfsMetrics metrics,
    ILogger<PromptWriter> log)
{
    private const int NameAttempts = 5;

    public async Task<PromptWriteResult> StoreAsync(ReadOnlyMemory<byte> file, WaveValidation wave, int vdn,
        SystemParameters parameters, string accessKey)
    {
        var folder = parameters.UploadPathRule.FolderFor(vdn);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(file.Span));
        for (var attempt = 0; attempt < NameAttempts; attempt++)
        {
            var path = folder + "/" + GeneratedFileName.Create(time);
            var record = new FileRecord(path, $"{parameters.DriveLetter}:{path}", vdn, file.Length, sha256,
                WaveEncodingNames.ConfigName(wave.Encoding), (long)wave.Duration.TotalMilliseconds, accessKey,
                time.GetUtcNow(), locations.Ids);
            var outcome = await StoreAsync(record, file);
            if (outcome == StoreOutcome.NameTaken)
            {
                continue;
            }

            if (outcome != StoreOutcome.Stored)
            {
                return new PromptWriteResult(null, "the file could not be stored; nothing was kept");
            }

            metrics.BytesStored.Inc((double)file.Length * record.Locations.Count);
            return new PromptWriteResult(record, null);
        }

        return new PromptWriteResult(null, $"no free file name after {NameAttempts} attempts");
    }

    private enum StoreOutcome
    {
        Stored,
        NameTaken,
        Failed,
    }

    /// <summary>Reserve the name, write every copy, then commit the row; undo everything on any failure.</summary>
    private async Task<StoreOutcome> StoreAsync(FileRecord record, ReadOnlyMemory<byte> file)
    {
        var storagePath = record.Path[1..];
        try
        {
            if (!await catalog.TryReserveAsync(record, CancellationToken.None))
            {
                return StoreOutcome.NameTaken;
            }
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "reserving the name");
            return StoreOutcome.Failed;
        }

        IReadOnlyList<WrittenCopy> copies;
        try
        {
            copies = await locations.WriteEverywhereAsync(storagePath, file);
        }
        catch (FileAlreadyExistsException)
        {
            await ReleaseAsync(record);
            return StoreOutcome.NameTaken;
        }
        catch (StorageFailedException e) when (e.CopiesLeft)
        {
            // The pending row stays, so start-up recovery removes the copies that could not be undone now.
            LogStoreFailed(log, e, record.FileName, "writing the copies, then undoing them");
            return StoreOutcome.Failed;
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "writing the copies");
            await ReleaseAsync(record);
            return StoreOutcome.Failed;
        }

        try
        {
            await catalog.CommitAsync(record.Path, record.Locations, CancellationToken.None);
            return StoreOutcome.Stored;
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "committing the catalog row");
            try
            {
                await locations.UndoEverywhereAsync(copies);
            }
            catch (Exception cleanup)
            {
                // The pending row stays, so start-up recovery removes the copies later.
                LogStoreFailed(log, cleanup, record.FileName, "removing the copies after a failed commit");
                return StoreOutcome.Failed;
            }

            await ReleaseAsync(record);
            return StoreOutcome.Failed;
        }
    }

    private async Task ReleaseAsync(FileRecord record)
    {
        try
        {
            await catalog.ReleaseAsync(record.Path, CancellationToken.None);
        }
        catch (Exception e)
        {
            LogStoreFailed(log, e, record.FileName, "releasing the name (start-up recovery will)");
        }
    }

    [LoggerMessage(LogLevel.Error, "Upload of {FileName} failed while {Step}")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string fileName, string step);
}
