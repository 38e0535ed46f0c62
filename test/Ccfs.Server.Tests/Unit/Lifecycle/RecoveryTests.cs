using Ccfs.Server.Catalog;
using Ccfs.Server.Catalog.Sqlite;
using Ccfs.Server.Configuration;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ccfs.Server.Tests.Unit.Lifecycle;

/// <summary>
/// Recovery finishes unfinished work whose owner is gone, from the catalog's marks: an upload with every copy in place
/// is stored, one missing a copy is undone, deletes of rows and of single copies are completed, temporary files of
/// gone instances go; work of a live request is left alone.
/// </summary>
[Trait("Storage", "Disk")]
[Trait("Catalog", "Sqlite")]
public sealed class RecoveryTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-recovery", Guid.NewGuid().ToString("N"));
    private readonly NodeIdentity _node = new("this");
    private readonly WorkInProgress _inProgress = new();
    private SqliteProvider _provider = null!;
    private CcfsSettings _settings = null!;
    private FileCatalog _catalog = null!;
    private FileCatalog _goneNode = null!;
    private LocationSet _locations = null!;
    private WorkRecovery _recovery = null!;

    public async Task InitializeAsync()
    {
        _settings = CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ccfs:DataDir"] = _dataDir,
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:1:Id"] = "256",
        }).Build());
        _provider = new SqliteProvider(_settings.CatalogPath);
        _catalog = new FileCatalog(_provider.Database, _node, TimeProvider.System, new EventOutbox(TimeProvider.System), new DeleteMarks());
        // The same catalog as seen by an instance that has ended: what it marked is owned by nobody alive.
        _goneNode = new FileCatalog(_provider.Database, new NodeIdentity("gone"), TimeProvider.System, new EventOutbox(TimeProvider.System), new DeleteMarks());
        await _provider.MigrateAsync(CancellationToken.None);
        _locations = new LocationSet([.. _settings.Locations.Select(l => (IFileStore)new DiskFileStore(l.Id, l.Root, _node.Instance))]);
        _recovery = new WorkRecovery(_catalog, _locations, new SingleNodeRegistry(_node), _node, _inProgress, new LateWrites(_locations, TimeProvider.System), NullLogger<WorkRecovery>.Instance);
        await _recovery.RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Uploads_are_stored_or_undone_by_their_copies_and_deletes_of_rows_and_copies_are_finished()
    {
        var kept = await StoreAsync(_catalog, "kept");
        var missingACopy = Record("missing-a-copy");
        Assert.True(await _goneNode.TryReserveAsync(missingACopy, CancellationToken.None));
        await _locations.Stores[0].WriteAsync(missingACopy.Path[1..], Samples.Sine, CancellationToken.None);
        var everyCopyPlaced = Record("every-copy-placed");
        Assert.True(await _goneNode.TryReserveAsync(everyCopyPlaced, CancellationToken.None));
        await _locations.WriteEverywhereAsync(everyCopyPlaced.Path[1..], Samples.Sine);
        var deleting = await StoreAsync(_catalog, "deleting");
        await _goneNode.BeginDeleteAsync(deleting.Path, "test-ak", CancellationToken.None);
        await _locations.Stores[1].DeleteAsync(deleting.Path[1..], CancellationToken.None);
        var copyDeleting = await StoreAsync(_catalog, "copy-deleting");
        Assert.Equal(CopyRemoval.Marked, await _goneNode.BeginCopyDeleteAsync(copyDeleting.Path, "256", "test-ak", CancellationToken.None));

        var pass = await _recovery.RunAsync(CancellationToken.None);

        Assert.Equal(new RecoveryPass(4, 0, 0), pass);
        Assert.Empty(await _catalog.ListUnfinishedAsync(100, CancellationToken.None));
        Assert.Equal(["0", "256"], (await _catalog.FindAsync(kept.Path, CancellationToken.None))!.Locations);
        Assert.Equal(["0", "256"], (await _catalog.FindAsync(everyCopyPlaced.Path, CancellationToken.None))!.Locations);
        Assert.Null(await _catalog.StateOfAsync(missingACopy.Path, CancellationToken.None));
        Assert.Null(await _catalog.StateOfAsync(deleting.Path, CancellationToken.None));
        Assert.Equal(["0"], (await _catalog.FindAsync(copyDeleting.Path, CancellationToken.None))!.Locations);
        foreach (var store in _locations.Stores)
        {
            Assert.True(await store.ExistsAsync(kept.Path[1..], CancellationToken.None));
            Assert.True(await store.ExistsAsync(everyCopyPlaced.Path[1..], CancellationToken.None));
            Assert.False(await store.ExistsAsync(missingACopy.Path[1..], CancellationToken.None));
            Assert.False(await store.ExistsAsync(deleting.Path[1..], CancellationToken.None));
        }

        Assert.True(await _locations.Stores[0].ExistsAsync(copyDeleting.Path[1..], CancellationToken.None));
        Assert.False(await _locations.Stores[1].ExistsAsync(copyDeleting.Path[1..], CancellationToken.None));
    }

    [Fact]
    public async Task Work_a_request_of_this_instance_still_holds_is_left_and_finished_once_the_request_lets_go()
    {
        var record = Record("in-flight");
        var request = _inProgress.Begin(record.Path);
        Assert.True(await _catalog.TryReserveAsync(record, CancellationToken.None));
        await _locations.Stores[0].WriteAsync(record.Path[1..], Samples.Sine, CancellationToken.None);

        var whileHeld = await _recovery.RunAsync(CancellationToken.None);

        Assert.Equal(new RecoveryPass(0, 0, 1), whileHeld);
        Assert.Equal(FileState.Pending, (await _catalog.StateOfAsync(record.Path, CancellationToken.None))!.Value.State);
        Assert.True(await _locations.Stores[0].ExistsAsync(record.Path[1..], CancellationToken.None));
        request.Dispose();

        var afterwards = await _recovery.RunAsync(CancellationToken.None);

        Assert.Equal(new RecoveryPass(1, 0, 0), afterwards);
        Assert.Null(await _catalog.StateOfAsync(record.Path, CancellationToken.None));
        Assert.False(await _locations.Stores[0].ExistsAsync(record.Path[1..], CancellationToken.None));
    }

    [Fact]
    public async Task Temporary_files_of_gone_instances_and_of_older_versions_go_and_this_instances_stay()
    {
        var temporary = Path.Combine(_settings.Locations[0].Root, DiskFileStore.TemporaryFolder);
        string[] gone = ["0123456789ab-0f.tmp", "torn.tmp", "deadbeef0000-probe-1"];
        var mine = $"{_node.Instance}-4c.tmp";
        foreach (var name in gone.Append(mine))
        {
            await File.WriteAllBytesAsync(Path.Combine(temporary, name), [1, 2, 3]);
        }

        await _recovery.RunAsync(CancellationToken.None);

        Assert.Equal([mine], Directory.EnumerateFiles(temporary).Select(Path.GetFileName));
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<FileRecord> StoreAsync(IFileCatalog catalog, string name)
    {
        var record = Record(name);
        Assert.True(await catalog.TryReserveAsync(record, CancellationToken.None));
        await _locations.WriteEverywhereAsync(record.Path[1..], Samples.Sine);
        Assert.Equal(CommitOutcome.Stored, await catalog.CommitAsync(record.Path, _locations.Ids, CancellationToken.None));
        return record;
    }

    private static FileRecord Record(string name) => new($"/3rdfile/53/thirdvoicebotfile/{name}.wav",
        $"Y:/3rdfile/53/thirdvoicebotfile/{name}.wav", 53, Samples.Sine.Length, "00", "alaw", 1000, "ak", DateTimeOffset.UtcNow, ["0", "256"]);
}
