using System.Globalization;
using Ccfs.Audio;
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
/// placed, so a seed with a problem places nothing. Seeding again is harmless: an upload whose name is taken is left,
/// a recording is written over.
/// </summary>
public sealed partial class Seeder(IParameterSource parameters, PromptWriter writer, LocationSet locations, ILogger<Seeder> logger)
{
    public async Task<SeedReport> SeedAsync(IReadOnlyList<SeedUpload> uploads, IReadOnlyList<SeedRecording> recordings, string accessKey)
    {
        var problems = new List<string>();
        var checkedUploads = uploads.Select(u => (Upload: u, Wave: Check(u, problems))).ToList();
        var checkedRecordings = recordings.Select(r => (Recording: r, Path: Check(r, problems))).ToList();
        if (problems.Count > 0)
        {
            return new SeedReport([], [], problems);
        }

        var stored = new List<SeededFile>();
        foreach (var (upload, wave) in checkedUploads)
        {
            var vdnParameters = parameters.For(upload.VdnId);
            var result = await writer.StoreAsync(upload.Content, wave!.Value, upload.VdnId, vdnParameters, accessKey, name: upload.Name);
            if (result.Record is { } record)
            {
                stored.Add(new SeededFile(record.FileName, "stored", record.Locations));
            }
            else if (result.NameTaken)
            {
                var name = $"{vdnParameters.DriveLetter}:{vdnParameters.UploadPathRule.FolderFor(upload.VdnId)}/{upload.Name}";
                stored.Add(new SeededFile(name, "exists", locations.Ids));
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

    private WaveValidation? Check(SeedUpload upload, List<string> problems)
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

        return wave;
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
