using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;
using Ccfs.Server.Metadata;
using Ccfs.Server.Parameters;
using Ccfs.Server.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ccfs.Server.Tests;

/// <summary>Start-up finishes what a crash interrupted, from the catalog's pending and deleting rows.</summary>
public sealed class RecoveryTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-recovery", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task An_interrupted_upload_and_an_interrupted_delete_are_finished_and_stored_files_are_kept()
    {
        var settings = CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ccfs:DataDir"] = _dataDir,
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:1:Id"] = "256",
        }).Build());
        var database = new SqliteDatabase(settings.CatalogPath);
        var catalog = new SqliteFileCatalog(database);
        var locations = new LocationSet([.. settings.Locations.Select(l => (IFileStore)new DiskFileStore(l.Id, l.Root))]);
        using var masterKey = MasterKey.Load(settings);
        var sync = new CatalogSync(new SqliteParameterStore(database, TimeProvider.System), new RuntimeParameters(settings),
            new SqliteAccountStore(database, TimeProvider.System), new AccountDirectory(settings, masterKey, NullLogger<AccountDirectory>.Instance),
            NullLogger<CatalogSync>.Instance);
        var recovery = new StartupRecovery(settings, catalog, locations, sync, NullLogger<StartupRecovery>.Instance);
        await recovery.StartAsync(CancellationToken.None);

        var kept = await StoreAsync(catalog, locations, "kept");
        var uploading = Record("uploading");
        await catalog.TryReserveAsync(uploading, CancellationToken.None);
        await locations.Stores[0].WriteAsync(uploading.Path[1..], Samples.Sine, CancellationToken.None);
        var deleting = await StoreAsync(catalog, locations, "deleting");
        await catalog.BeginDeleteAsync(deleting.Path, CancellationToken.None);
        await locations.Stores[1].DeleteAsync(deleting.Path[1..], CancellationToken.None);
        await File.WriteAllBytesAsync(Path.Combine(settings.Locations[0].Root, DiskFileStore.TemporaryFolder, "torn.tmp"), [1, 2, 3]);

        await recovery.StartAsync(CancellationToken.None);

        Assert.NotNull(await catalog.FindAsync(kept.Path, CancellationToken.None));
        Assert.Empty(await catalog.ListUnfinishedAsync(CancellationToken.None));
        foreach (var store in locations.Stores)
        {
            Assert.True(await store.ExistsAsync(kept.Path[1..], CancellationToken.None));
            Assert.False(await store.ExistsAsync(uploading.Path[1..], CancellationToken.None));
            Assert.False(await store.ExistsAsync(deleting.Path[1..], CancellationToken.None));
        }

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(settings.Locations[0].Root, DiskFileStore.TemporaryFolder)));
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

    private static async Task<FileRecord> StoreAsync(IFileCatalog catalog, LocationSet locations, string name)
    {
        var record = Record(name);
        Assert.True(await catalog.TryReserveAsync(record, CancellationToken.None));
        await locations.WriteEverywhereAsync(record.Path[1..], Samples.Sine);
        await catalog.CommitAsync(record.Path, locations.Ids, CancellationToken.None);
        return record;
    }

    private static FileRecord Record(string name) => new($"/3rdfile/53/thirdvoicebotfile/{name}.wav",
        $"Y:/3rdfile/53/thirdvoicebotfile/{name}.wav", 53, Samples.Sine.Length, "00", "alaw", 1000, "ak", DateTimeOffset.UtcNow, ["0", "256"]);
}
