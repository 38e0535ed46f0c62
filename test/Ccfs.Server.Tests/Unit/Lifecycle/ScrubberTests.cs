using System.Globalization;
using System.Security.Cryptography;
using Ccfs.Server.Catalog;
using Ccfs.Server.Catalog.Sqlite;
using Ccfs.Server.Configuration;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Observability;
using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ccfs.Server.Tests.Unit.Lifecycle;

/// <summary>The scrubber on a catalog larger than a page, built directly on the catalog and the disk stores.</summary>
[Trait("Storage", "Disk")]
[Trait("Catalog", "Sqlite")]
public sealed class ScrubberTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-scrubber", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Every_row_across_pages_is_checked_and_a_copy_in_an_unconfigured_location_is_missing_and_left_alone()
    {
        var settings = CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ccfs:DataDir"] = _dataDir,
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:1:Id"] = "256",
        }).Build());
        await using var provider = new SqliteProvider(settings.CatalogPath);
        var catalog = new FileCatalog(provider.Database, new NodeIdentity("test"), TimeProvider.System, new EventOutbox(TimeProvider.System), new DeleteMarks());
        await provider.MigrateAsync(CancellationToken.None);
        var locations = new LocationSet([.. settings.Locations.Select(l => (IFileStore)new DiskFileStore(l.Id, l.Root))]);
        foreach (var store in locations.Stores)
        {
            await store.OpenAsync(_ => Task.FromResult(false), CancellationToken.None);
        }

        var files = (2 * Scrubber.PageSize) + 1;
        for (var i = 0; i < files; i++)
        {
            await StoreAsync(catalog, locations, i.ToString("D4", CultureInfo.InvariantCulture), ["0", "256"]);
        }

        // The last row in path order, so the final, short page is read too; and a row naming a location this node lacks.
        var last = Path.Combine(settings.Locations[1].Root, "3rdfile", "53", "thirdvoicebotfile", $"{files - 1:D4}.wav");
        await File.WriteAllBytesAsync(last, [1, 2, 3]);
        await StoreAsync(catalog, locations, "elsewhere", ["0", "512"]);
        var metrics = new CcfsMetrics();
        var scrubber = new Scrubber(catalog, locations, new IntegrityMetrics(metrics, NullLogger<IntegrityMetrics>.Instance), TimeProvider.System,
            NullLogger<Scrubber>.Instance);
        var heard = new List<ScrubProblem>();

        var report = (await scrubber.TryRunAsync(repair: true, heard.Add, CancellationToken.None))!;

        Assert.Equal(files + 1, report.FilesChecked);
        Assert.Equal(2 * (files + 1), report.CopiesChecked);
        Assert.Equal((2 * (files + 1)) - 2, report.HealthyCopies);
        Assert.Equal(report.Problems, heard);
        Assert.Equal(
            [("Y:/3rdfile/53/thirdvoicebotfile/0512.wav", "256", "corrupt", true), ("Y:/3rdfile/53/thirdvoicebotfile/elsewhere.wav", "512", "missing", false)],
            report.Problems.Select(p => (p.FileName, p.LocationId, p.Kind, p.Repaired)));
        Assert.Contains("not configured", report.Problems[1].Detail, StringComparison.Ordinal);
        Assert.Equal(1, report.Remaining);
        Assert.Equal(Content("0512"), await File.ReadAllBytesAsync(last));
        Assert.Equal(1, metrics.IntegrityProblems.WithLabels("512", "missing").Value);
        Assert.Equal(1, metrics.IntegrityProblems.WithLabels("256", "corrupt").Value);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Distinct bytes per file, so a repair from the wrong file would show.</summary>
    private static byte[] Content(string name) => System.Text.Encoding.ASCII.GetBytes("content of " + name);

    private static async Task StoreAsync(IFileCatalog catalog, LocationSet locations, string name, string[] copies)
    {
        var content = Content(name);
        var record = new FileRecord($"/3rdfile/53/thirdvoicebotfile/{name}.wav", $"Y:/3rdfile/53/thirdvoicebotfile/{name}.wav", 53,
            content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), "alaw", 1000, "ak", DateTimeOffset.UtcNow, copies);
        Assert.True(await catalog.TryReserveAsync(record, CancellationToken.None));
        foreach (var store in locations.Stores.Where(s => copies.Contains(s.LocationId)))
        {
            await store.WriteAsync(record.Path[1..], content, CancellationToken.None);
        }

        await catalog.CommitAsync(record.Path, copies, CancellationToken.None);
    }
}
