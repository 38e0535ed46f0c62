using System.Globalization;
using Ccfs.Server.Hosting;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Seeding;

/// <summary>
/// A seed folder (<c>--seed DIR</c>): <c>uploads/{vdn}/{name}</c> are stored as uploads of that VDN under their own
/// names; <c>recordings/{path}</c> are placed at that path in every location, as the IVR writes recordings (e.g.
/// <c>recordings/voice/1/IVRrecordFile/20261201/100001-record.wav</c> is <c>Y:/voice/1/IVRrecordFile/20261201/100001-record.wav</c>).
/// Hidden files are left out; anything else in the folder is a problem that stops the start.
/// </summary>
public static class SeedFolder
{
    public const string Uploads = "uploads";
    public const string Recordings = "recordings";

    /// <param name="driveLetter">The drive of the paths recordings get.</param>
    public static (IReadOnlyList<SeedUpload> Uploads, IReadOnlyList<SeedRecording> Recordings) Read(string folder, char driveLetter)
    {
        if (!Directory.Exists(folder))
        {
            throw new CcfsStartupException($"the seed folder {folder} does not exist");
        }

        var problems = new List<string>();
        var uploads = new List<SeedUpload>();
        var recordings = new List<SeedRecording>();
        try
        {
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().Where(e => !e.Name.StartsWith('.')))
            {
                if (entry is DirectoryInfo { Name: Uploads } uploadFolder)
                {
                    ReadUploads(uploadFolder, uploads, problems);
                }
                else if (entry is DirectoryInfo { Name: Recordings } recordingFolder)
                {
                    foreach (var file in Files(recordingFolder))
                    {
                        var relative = Path.GetRelativePath(recordingFolder.FullName, file.FullName).Replace('\\', '/');
                        recordings.Add(new SeedRecording($"{driveLetter}:/{relative}", File.ReadAllBytes(file.FullName), file.FullName));
                    }
                }
                else
                {
                    problems.Add($"{entry.FullName} is neither {Uploads}/ nor {Recordings}/");
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CcfsStartupException($"the seed folder {folder} cannot be read: {e.Message}");
        }

        return problems.Count > 0
            ? throw new CcfsStartupException($"the seed folder {folder} has problems: {string.Join("; ", problems)}")
            : (uploads, recordings);
    }

    private static void ReadUploads(DirectoryInfo folder, List<SeedUpload> uploads, List<string> problems)
    {
        foreach (var entry in folder.EnumerateFileSystemInfos().Where(e => !e.Name.StartsWith('.')))
        {
            if (entry is not DirectoryInfo vdnFolder || !VdnId.TryParse(entry.Name, out var vdn))
            {
                problems.Add($"{entry.FullName}: {Uploads}/ holds a folder per VDN, named by its number (such as {Uploads}/1/)");
                continue;
            }

            foreach (var file in vdnFolder.EnumerateFileSystemInfos().Where(e => !e.Name.StartsWith('.')))
            {
                if (file is FileInfo)
                {
                    uploads.Add(new SeedUpload(vdn, file.Name, File.ReadAllBytes(file.FullName), file.FullName));
                }
                else
                {
                    problems.Add($"{file.FullName}: uploads are files directly in {Uploads}/{vdn.ToString(CultureInfo.InvariantCulture)}/, "
                        + "as uploaded prompts are directly in their VDN's folder");
                }
            }
        }
    }

    private static IEnumerable<FileInfo> Files(DirectoryInfo folder) =>
        folder.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true })
            .Where(f => !Path.GetRelativePath(folder.FullName, f.FullName).Split(Path.DirectorySeparatorChar).Any(s => s.StartsWith('.')))
            .OrderBy(f => f.FullName, StringComparer.Ordinal);
}
