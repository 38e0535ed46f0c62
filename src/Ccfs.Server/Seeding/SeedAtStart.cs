using Ccfs.Server.Configuration;
using Ccfs.Server.Hosting;

namespace Ccfs.Server.Seeding;

/// <summary>
/// <c>--seed DIR</c> (<c>Ccfs:Seed:Folder</c>): seeds the folder's files once recovery has run and before the first
/// request is answered. A folder with a problem stops the start, naming each problem; nothing of it is placed.
/// </summary>
public sealed class SeedAtStart(CcfsSettings settings, Seeder seeder) : IHostedService
{
    /// <summary>The access key seeded uploads are recorded under.</summary>
    public const string SeedAccessKey = "ccfs-seed";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.SeedFolder is not { } folder)
        {
            return;
        }

        var (uploads, recordings) = SeedFolder.Read(folder, settings.Parameters.DriveLetter);
        var report = await seeder.SeedAsync(uploads, recordings, SeedAccessKey);
        if (report.Problems.Count > 0)
        {
            throw new CcfsStartupException($"the seed folder {folder} has problems: {string.Join("; ", report.Problems)}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
