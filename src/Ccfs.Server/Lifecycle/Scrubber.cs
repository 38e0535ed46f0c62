using System.Buffers;
using System.Security.Cryptography;
using Ccfs.Server.Catalog;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Lifecycle;

/// <summary>
/// Checks every stored catalog row against the bytes of each copy it lists: the file must be there with the recorded
/// size and SHA-256. Rows are read a page at a time and copies hashed as a stream, so memory stays bounded however
/// large the catalog. Without repair nothing is written. With repair, a missing or corrupt copy is rewritten through
/// the store's atomic write from a copy in another location whose bytes were just verified, then verified again.
/// One scrub runs at a time in a process.
/// </summary>
public sealed partial class Scrubber(IFileCatalog catalog, LocationSet locations, IntegrityMetrics integrity, TimeProvider time,
    ILogger<Scrubber> logger)
{
    /// <summary>Catalog rows read per query.</summary>
    public const int PageSize = 256;

    /// <summary>The report lists this many problems; the rest are counted and logged.</summary>
    public const int MaxListedProblems = 10_000;

    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>
    /// Runs a scrub and returns its report, or null at once if another is running. <paramref name="onProblem"/> hears of
    /// each problem as it is settled (the command prints them), listed in the report or not.
    /// </summary>
    public async Task<ScrubReport?> TryRunAsync(bool repair, Action<ScrubProblem>? onProblem, CancellationToken cancellationToken)
    {
        if (!await _running.WaitAsync(0, cancellationToken))
        {
            return null;
        }

        try
        {
            return await RunAsync(repair, onProblem, cancellationToken);
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<ScrubReport> RunAsync(bool repair, Action<ScrubProblem>? onProblem, CancellationToken cancellationToken)
    {
        var tally = new Tally(repair, time.GetUtcNow(), onProblem);
        LogStarted(logger, repair);
        string? after = null;
        IReadOnlyList<FileRecord> page;
        do
        {
            page = await catalog.ListStoredAsync(null, after, PageSize, cancellationToken);
            foreach (var record in page)
            {
                await ScrubFileAsync(record, repair, tally, cancellationToken);
            }

            after = page.Count > 0 ? page[^1].Path : after;
        }
        while (page.Count == PageSize);

        var report = tally.Report(time.GetUtcNow());
        LogFinished(logger, report.FilesChecked, report.CopiesChecked, report.ProblemCount, report.Repaired, report.Remaining);
        return report;
    }

    private async Task ScrubFileAsync(FileRecord record, bool repair, Tally tally, CancellationToken cancellationToken)
    {
        var copies = new List<Copy>(record.Locations.Count);
        foreach (var locationId in record.Locations)
        {
            var store = locations.Find(locationId);
            copies.Add(new Copy(locationId, store, store is null
                ? Check.Missing($"location {locationId} is not configured on this node")
                : await CheckAsync(store, record, cancellationToken)));
        }

        if (copies.Any(c => !c.Check.Healthy))
        {
            // A delete may have run since the page was read: judge only copies the catalog still lists.
            var current = await catalog.FindAsync(record.Path, cancellationToken);
            if (current is null)
            {
                return;
            }

            copies.RemoveAll(c => !current.Locations.Contains(c.LocationId));
        }

        tally.FilesChecked++;
        tally.CopiesChecked += copies.Count;
        tally.HealthyCopies += copies.Count(c => c.Check.Healthy);
        var problems = copies.Where(c => !c.Check.Healthy).ToList();
        foreach (var copy in problems)
        {
            Count(record, copy);
        }

        var repaired = repair && problems.Count > 0
            ? await RepairAsync(record, copies.Where(c => c.Check.Healthy).Select(c => c.Store!).ToList(), problems)
            : [];
        foreach (var copy in problems)
        {
            var outcome = repaired.FirstOrDefault(r => r.Copy == copy);
            tally.Add(new ScrubProblem(record.FileName, copy.LocationId, copy.Check.Kind!, outcome?.Repaired == true,
                outcome is null ? copy.Check.Detail : copy.Check.Detail + "; " + outcome.Detail));
        }
    }

    private void Count(FileRecord record, Copy copy)
    {
        if (copy.Check.Kind == ScrubProblem.Missing)
        {
            integrity.Missing(copy.LocationId, record.Path);
        }
        else
        {
            integrity.Corrupt(copy.LocationId, record.Path, record.Sha256, copy.Check.Actual);
        }
    }

    /// <summary>Rewrites each bad copy from the first healthy copy that verifies now; nothing is written without one.</summary>
    private async Task<List<RepairOutcome>> RepairAsync(FileRecord record, List<IFileStore> healthy, List<Copy> problems)
    {
        var outcomes = new List<RepairOutcome>(problems.Count);
        var (source, bytes) = await ReadVerifiedSourceAsync(record, healthy);
        try
        {
            foreach (var copy in problems)
            {
                var outcome = copy.Store is null ? new RepairOutcome(copy, false, "not repaired: the location is not configured")
                    : source is null ? new RepairOutcome(copy, false, "not repaired: no location holds a healthy copy")
                    : await RewriteAsync(record, copy, source, bytes!);
                outcomes.Add(outcome);
                if (outcome.Repaired)
                {
                    LogRepaired(logger, record.Path, copy.LocationId, source!.LocationId);
                }
                else
                {
                    LogNotRepaired(logger, record.Path, copy.LocationId, outcome.Detail);
                }
            }

            return await TakeBackIfDeletedAsync(record, outcomes);
        }
        finally
        {
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    private async Task<RepairOutcome> RewriteAsync(FileRecord record, Copy copy, IFileStore source, byte[] bytes)
    {
        try
        {
            await copy.Store!.ReplaceAsync(record.StoragePath, bytes.AsMemory(0, (int)record.SizeBytes), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new RepairOutcome(copy, false, $"the repair from location {source.LocationId} failed: {e.Message}");
        }

        var after = await CheckAsync(copy.Store, record, CancellationToken.None);
        return after.Healthy
            ? new RepairOutcome(copy, true, $"repaired from location {source.LocationId}")
            : new RepairOutcome(copy, false, $"rewritten from location {source.LocationId} but still {after.Detail}");
    }

    /// <summary>
    /// A delete that ran during the repair may have removed a copy just before it was rewritten. If the catalog no
    /// longer lists a rewritten copy, it is removed again, so repair never leaves a file no row accounts for.
    /// </summary>
    private async Task<List<RepairOutcome>> TakeBackIfDeletedAsync(FileRecord record, List<RepairOutcome> outcomes)
    {
        if (!outcomes.Any(o => o.Repaired))
        {
            return outcomes;
        }

        var current = await catalog.FindAsync(record.Path, CancellationToken.None);
        var settled = new List<RepairOutcome>(outcomes.Count);
        foreach (var outcome in outcomes)
        {
            if (outcome.Repaired && current?.Locations.Contains(outcome.Copy.LocationId) != true)
            {
                await outcome.Copy.Store!.DeleteAsync(record.StoragePath, CancellationToken.None);
                settled.Add(outcome with { Detail = outcome.Detail + "; the copy was deleted meanwhile, so the rewrite was removed again" });
            }
            else
            {
                settled.Add(outcome);
            }
        }

        return settled;
    }

    /// <summary>
    /// A copy verified and held in memory: what is written is exactly what was checked. Null if no copy verifies (or
    /// the file is too large to hold, which uploads never make).
    /// </summary>
    private static async Task<(IFileStore? Source, byte[]? Bytes)> ReadVerifiedSourceAsync(FileRecord record, List<IFileStore> healthy)
    {
        if (record.SizeBytes > Array.MaxLength - 1)
        {
            return (null, null);
        }

        foreach (var store in healthy)
        {
            var bytes = ArrayPool<byte>.Shared.Rent((int)record.SizeBytes + 1);
            try
            {
                await using var content = await store.OpenReadAsync(record.StoragePath, CancellationToken.None);
                if (content is not null)
                {
                    var length = await content.ReadAtLeastAsync(bytes.AsMemory(0, (int)record.SizeBytes + 1), (int)record.SizeBytes + 1,
                        throwOnEndOfStream: false);
                    if (length == record.SizeBytes
                        && Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, length))) == record.Sha256)
                    {
                        return (store, bytes);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            ArrayPool<byte>.Shared.Return(bytes);
        }

        return (null, null);
    }

    /// <summary>Whether one copy has the recorded size and SHA-256, hashing it as a stream.</summary>
    private static async Task<Check> CheckAsync(IFileStore store, FileRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await using var content = await store.OpenReadAsync(record.StoragePath, cancellationToken);
            if (content is null)
            {
                return Check.Missing($"no file in location {store.LocationId}");
            }

            var digest = await CopyDigest.ComputeAsync(content, HashAlgorithmName.SHA256, cancellationToken);
            return digest.Length != record.SizeBytes
                ? Check.Corrupt(digest.Sha256, $"{digest.Length} bytes (SHA-256 {digest.Sha256}), the catalog says {record.SizeBytes}")
                : digest.Sha256 != record.Sha256
                    ? Check.Corrupt(digest.Sha256, $"SHA-256 {digest.Sha256}, the catalog says {record.Sha256}")
                    : Check.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Check.Corrupt("unreadable", "unreadable: " + e.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Scrub started (repair: {Repair})")]
    private static partial void LogStarted(ILogger logger, bool repair);

    [LoggerMessage(LogLevel.Information,
        "Scrub finished: {Files} file(s), {Copies} copies checked, {Problems} problem(s), {Repaired} repaired, {Remaining} remaining")]
    private static partial void LogFinished(ILogger logger, long files, long copies, long problems, long repaired, long remaining);

    [LoggerMessage(LogLevel.Warning, "Scrub repaired {Path} in location {Location} from location {Source}")]
    private static partial void LogRepaired(ILogger logger, string path, string location, string source);

    [LoggerMessage(LogLevel.Error, "Scrub could not repair {Path} in location {Location}: {Reason}")]
    private static partial void LogNotRepaired(ILogger logger, string path, string location, string reason);

    /// <param name="Kind">Null when the copy is healthy.</param>
    /// <param name="Actual">The SHA-256 found, for the integrity log.</param>
    private readonly record struct Check(string? Kind, string Actual, string Detail)
    {
        public static Check Ok => new(null, "", "healthy");

        public bool Healthy => Kind is null;

        public static Check Missing(string detail) => new(ScrubProblem.Missing, "", detail);

        public static Check Corrupt(string actual, string detail) => new(ScrubProblem.Corrupt, actual, detail);
    }

    /// <param name="Store">Null when the catalog names a location this node does not have.</param>
    private sealed record Copy(string LocationId, IFileStore? Store, Check Check);

    private sealed record RepairOutcome(Copy Copy, bool Repaired, string Detail);

    /// <summary>The running counts; the problem list stops growing at <see cref="MaxListedProblems"/>.</summary>
    private sealed class Tally(bool repair, DateTimeOffset startedAt, Action<ScrubProblem>? onProblem)
    {
        private readonly List<ScrubProblem> _problems = [];

        public long FilesChecked { get; set; }

        public long CopiesChecked { get; set; }

        public long HealthyCopies { get; set; }

        private long ProblemCount { get; set; }

        private long Repaired { get; set; }

        public void Add(ScrubProblem problem)
        {
            ProblemCount++;
            Repaired += problem.Repaired ? 1 : 0;
            if (_problems.Count < MaxListedProblems)
            {
                _problems.Add(problem);
            }

            onProblem?.Invoke(problem);
        }

        public ScrubReport Report(DateTimeOffset finishedAt) => new(repair, startedAt, finishedAt, FilesChecked, CopiesChecked, HealthyCopies,
            ProblemCount, Repaired, ProblemCount - Repaired, _problems, ProblemCount - _problems.Count);
    }
}
