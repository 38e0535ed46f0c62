using System.Globalization;
using Ccfs.Audio;
using Ccfs.Server.Catalog;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Seeding;

/// <summary>
/// Places files so that <c>downloadFile</c> (mode 1 too), <c>getFileHash</c> and <c>deleteFile</c> can be rehearsed
/// without an IVR: an upload goes through the <see cref="PromptWriter"/> exactly as uploadFile's does (the same checks,
/// catalog row, copies and durability) under the name it was given; a recording is written into every location under a
/// download rule folder, with no catalog row, as the IVR writes recordings. Everything is checked before anything is
/// placed (the VDN's prompt check under <c>refuse</c> and its quota among them), so a seed with a problem places nothing.
/// Seeding again is harmless: an upload whose name is taken is left, a recording is written over; a stored upload is
/// never written over by a recording.
/// </summary>
public sealed partial class Seeder(IParameterSource parameters, PromptWriter writer, PromptInspection inspection, IFileCatalog catalog,
    LocationSet locations, ILogger<Seeder> logger)
{
    public async Task<SeedReport> SeedAsync(IReadOnlyList<SeedUpload> uploads, IReadOnlyList<SeedRecording> recordings, string accessKey)
    {
        var problems = new List<string>();
        IReadOnlySet<string> seededBefore = new HashSet<string>();
        var checkedUploads = uploads.Select(u => (Upload: u, Checked: Check(u, problems))).ToList();
        var checkedRecordings = recordings.Select(r => (Recording: r, Path: Check(r, problems))).ToList();
        if (problems.Count == 0)
        {
            seededBefore = await SeededBeforeAsync(checkedUploads.Select(u => u.Upload));
            await CheckQuotasAsync(checkedUploads.Select(u => u.Upload).ToList(), seededBefore, problems);
            await CheckNoUploadIsReplacedAsync(checkedRecordings.Select(r => (r.Recording, r.Path!.Value)).ToList(), problems);
        }

        if (problems.Count > 0)
        {
            return new SeedReport([], [], problems);
        }

        var stored = new List<SeededFile>();
        foreach (var (upload, (wave, promptCheck)) in checkedUploads.Select(u => (u.Upload, u.Checked!.Value)))
        {
            var vdnParameters = parameters.For(upload.VdnId);
            var key = KeyOf(upload);
            // A name seeded before is left as it is, even once the quota is full (which the writer would answer first).
            var result = !seededBefore.Contains(key)
                ? await writer.StoreAsync(upload.Content, wave, upload.VdnId, vdnParameters, accessKey, promptCheck, upload.Name)
                : new PromptWriteResult(null, null, NameTaken: true);
            if (result.Record is { } record)
            {
                stored.Add(new SeededFile(record.FileName, "stored", record.Locations));
            }
            else if (result.NameTaken)
            {
                stored.Add(new SeededFile($"{vdnParameters.DriveLetter}:{key}", "exists", locations.Ids));
            }
            else
            {
                throw new IOException($"{upload.Source} could not be stored: {result.Failure}");
            }
        }

        var placed = new List<SeededFile>();
        foreach (var (recording, path) in checkedRecordings)
        {
            var replaced = false;
            foreach (var store in locations.Stores)
            {
                if (await store.ExistsAsync(path!.Value, CancellationToken.None))
                {
                    await store.ReplaceAsync(path.Value, recording.Content, CancellationToken.None);
                    replaced = true;
                }
                else
                {
                    await store.WriteAsync(path.Value, recording.Content, CancellationToken.None);
                }
            }

            placed.Add(new SeededFile(recording.Path.Replace('\\', '/'), replaced ? "replaced" : "stored", locations.Ids));
        }

        LogSeeded(logger, stored.Count(s => s.Status == "stored"), placed.Count, accessKey);
        return new SeedReport(stored, placed, []);
    }

    /// <summary>The uploads new to each VDN must fit its quota as the catalog counts it now.</summary>
    /// <summary>The catalog keys of the uploads whose names the catalog holds already, looked up once for the checks and the seeding.</summary>
    private async Task<IReadOnlySet<string>> SeededBeforeAsync(IEnumerable<SeedUpload> uploads)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in uploads.Select(KeyOf).Distinct(StringComparer.Ordinal))
        {
            if (await catalog.StateOfAsync(key, CancellationToken.None) is not null)
            {
                found.Add(key);
            }
        }

        return found;
    }

    private string KeyOf(SeedUpload upload) => $"{parameters.For(upload.VdnId).UploadPathRule.FolderFor(upload.VdnId)}/{upload.Name}";

    private async Task CheckQuotasAsync(IReadOnlyList<SeedUpload> uploads, IReadOnlySet<string> seededBefore, List<string> problems)
    {
        var usage = (await catalog.ListUsageAsync(CancellationToken.None)).ToDictionary(u => u.VdnId);
        foreach (var vdn in uploads.GroupBy(u => u.VdnId))
        {
            var vdnParameters = parameters.For(vdn.Key);
            if (vdnParameters.Quota.IsUnlimited)
            {
                continue;
            }

            var (files, bytes) = usage.TryGetValue(vdn.Key, out var used) ? (used.Files, used.Bytes) : (0L, 0L);
            foreach (var upload in vdn)
            {
                if (!seededBefore.Contains(KeyOf(upload)))
                {
                    (files, bytes) = (files + 1, bytes + upload.Content.Length);
                }
            }

            if (files > vdnParameters.Quota.MaxFiles || bytes > vdnParameters.Quota.MaxBytes)
            {
                problems.Add($"uploads to VDN {vdn.Key} would not fit its quota: they would make it {vdnParameters.Quota.Describe(files, bytes)}");
            }
        }
    }

    /// <summary>A recording is a file with no catalog row: one cannot take the place of a stored upload.</summary>
    private async Task CheckNoUploadIsReplacedAsync(IReadOnlyList<(SeedRecording Recording, StoragePath Path)> recordings, List<string> problems)
    {
        foreach (var (recording, path) in recordings)
        {
            if (await catalog.StateOfAsync(path.CatalogKey, CancellationToken.None) is not null)
            {
                problems.Add($"{recording.Source}: {recording.Path} is a stored upload; a recording cannot replace it (delete it first)");
            }
        }
    }

    private (WaveValidation Wave, string? PromptCheck)? Check(SeedUpload upload, List<string> problems)
    {
        if (upload.VdnId <= 0)
        {
            problems.Add($"{upload.Source}: VDN {upload.VdnId.ToString(CultureInfo.InvariantCulture)} is not a positive integer");
            return null;
        }

        var nameProblem = upload.Name.StartsWith('.') ? "starts with '.'" : LogicalPath.SegmentProblem(upload.Name);
        if (nameProblem is not null)
        {
            problems.Add($"{upload.Source}: '{upload.Name}' cannot be a file name: it {nameProblem}");
            return null;
        }

        var vdnParameters = parameters.For(upload.VdnId);
        if (upload.Content.Length > vdnParameters.UploadSizeLimitBytes)
        {
            problems.Add($"{upload.Source}: {upload.Content.Length} bytes is over VDN {upload.VdnId}'s upload limit of {vdnParameters.UploadSizeLimitBytes}");
            return null;
        }

        var wave = WaveValidator.Validate(upload.Content.Span, vdnParameters.AcceptedEncodings);
        if (!wave.IsValid)
        {
            problems.Add($"{upload.Source}: uploadFile would refuse it: {wave.Reason}");
            return null;
        }

        var prompt = inspection.Inspect(upload.Content.Span, wave, vdnParameters);
        if (PromptInspection.Refuses(prompt, vdnParameters))
        {
            problems.Add($"{upload.Source}: uploadFile would refuse it: {PromptInspection.RefusalReason(prompt!)}");
            return null;
        }

        return (wave, prompt?.HeaderValue);
    }

    /// <summary>The path below a location root, when the path lies under a download rule folder of the VDN it names.</summary>
    private StoragePath? Check(SeedRecording recording, List<string> problems)
    {
        var reason = "";
        foreach (var set in parameters.All)
        {
            if (!LogicalPath.TryParse(recording.Path, set.DriveLetter, out var path, out reason))
            {
                continue;
            }

            foreach (var rule in set.DownloadPathRules)
            {
                if (path!.Segments.Count > rule.SegmentCount && rule.TryMatchPrefix(path.Segments, out var vdn)
                    && ReferenceEquals(parameters.For(vdn), set))
                {
                    return path.StoragePath;
                }
            }

            reason = "it is not below a folder of the download path rule " + string.Join(';', set.DownloadPathRules.Select(r => r.Text));
        }

        problems.Add($"{recording.Source}: {recording.Path} cannot be a recording: {reason}");
        return null;
    }

    [LoggerMessage(LogLevel.Information, "Seeded {Uploads} upload(s) and {Recordings} recording(s) for {AccessKey}")]
    private static partial void LogSeeded(ILogger logger, int uploads, int recordings, string accessKey);
}
