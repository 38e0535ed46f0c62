using System.Net;
using Ccfs.Server.Catalog;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Tests.Functional.Storage;

/// <summary>
/// A location that fails to read or delete: delete, hash and download answer 503 (<c>0300503</c>, <c>Retry-After</c>),
/// and what is left on disk and in the catalog is exactly what the answer promises, in one location and in a pool.
/// </summary>
public sealed class StorageFailureTests
{
    private const string Unavailable = "The service is temporarily unavailable, try again later.";

    private static readonly Dictionary<string, string?> Pool = new() { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:1:Id"] = "256" };

    [Fact]
    public async Task A_delete_that_fails_is_503_keeps_the_copy_marks_the_row_and_recovery_finishes_it_once_the_location_works()
    {
        using var factory = new FailingStoreFactory([]);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        factory.Store("0").FailDeletes = true;

        var response = await factory.Signed().DeleteAsync(fileName);

        await AssertUnavailableAsync(response);
        // The reason says what is true: the row is marked, so the file is no longer served and recovery finishes it.
        Assert.Equal("injected: the disk refuses to delete; the file is marked deleted and no longer served; the server removes it in the "
            + "background", CcfsAnswer.Reason(response));
        Assert.True(factory.HasCopy(fileName));
        Assert.Equal([$"{fileName[2..]} state=2"], factory.CatalogRows());
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().HashAsync(fileName), "0300011", "The file does not exist.");
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().DownloadAsync(fileName), "0300011", "The file does not exist.");
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().DownloadAsync(fileName[..fileName.LastIndexOf('/')], 1), "0300011",
            "The file does not exist.");
        Assert.Equal(new RecoveryPass(0, 1, 0), await factory.RecoverAsync());
        factory.Store("0").FailDeletes = false;

        Assert.Equal(new RecoveryPass(1, 0, 0), await factory.RecoverAsync());

        Assert.False(factory.HasCopy(fileName));
        Assert.Empty(factory.CatalogRows());
    }

    [Fact]
    public async Task A_pool_delete_that_fails_half_way_is_503_and_recovery_removes_the_copy_left_and_the_row()
    {
        using var factory = new FailingStoreFactory(Pool);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        factory.Store("256").FailDeletes = true;

        var response = await factory.Signed().DeleteAsync(fileName);

        await AssertUnavailableAsync(response);
        Assert.False(factory.HasCopy(fileName, "0"));
        Assert.True(factory.HasCopy(fileName, "256"));
        Assert.Equal([$"{fileName[2..]} state=2"], factory.CatalogRows());
        Assert.Null(await factory.FindAsync(fileName[2..]));
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().DownloadAsync(fileName), "0300011", "The file does not exist.");
        factory.Store("256").FailDeletes = false;

        Assert.Equal(new RecoveryPass(1, 0, 0), await factory.RecoverAsync());

        Assert.Empty(factory.LocationsHolding(fileName));
        Assert.Empty(factory.CatalogRows());
    }

    [Fact]
    public async Task A_download_by_name_or_by_folder_passes_over_a_first_location_whose_copy_is_marked_and_serves_the_next()
    {
        using var factory = new FailingStoreFactory(Pool);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        // The node has seen the catalog without a mark: its own mark counts at once, not from its next look.
        await LookAtTheCatalogUntilAsync(factory, () => !factory.Services.GetRequiredService<DeleteMarks>().MayExist);
        factory.Store("0").FailDeletes = true;
        await AssertUnavailableAsync(await factory.Signed().DeleteAsync(fileName, "0"));
        Assert.True(factory.HasCopy(fileName, "0"));
        // Location 0's copy is still there, marked, and a retry may unlink it at any moment: a read of it now fails the test.
        factory.Store("0").FailReads = true;

        using var byName = await factory.Signed().DownloadAsync(fileName);
        using var byFolder = await factory.Signed().DownloadAsync(fileName[..fileName.LastIndexOf('/')], 1);

        Assert.Equal(Samples.Sine, await byName.Content.ReadAsByteArrayAsync());
        Assert.Equal(Samples.Sine, await byFolder.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_copy_another_node_marked_is_passed_over_from_this_nodes_next_look_at_the_catalog()
    {
        using var factory = new FailingStoreFactory(Pool);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var marks = factory.Services.GetRequiredService<DeleteMarks>();
        await LookAtTheCatalogUntilAsync(factory, () => !marks.MayExist);
        var otherNode = new FileCatalog(factory.Services.GetRequiredService<CatalogDatabase>(), new NodeIdentity("other-node"), factory.Time,
            new EventOutbox(factory.Time), new DeleteMarks());

        // Another node's delete marks location 0's copy, and its unlink fails: a read of that copy now fails the test.
        Assert.Equal(CopyRemoval.Marked, await otherNode.BeginCopyDeleteAsync(fileName[2..], "0", "other", CancellationToken.None));
        factory.Store("0").FailReads = true;
        await LookAtTheCatalogUntilAsync(factory, () => marks.MayExist);
        using var served = await factory.Signed().DownloadAsync(fileName);

        Assert.Equal(Samples.Sine, await served.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_pool_delete_of_one_copy_that_fails_is_503_marks_the_copy_which_is_no_longer_served_and_a_retry_finishes_it()
    {
        using var factory = new FailingStoreFactory(Pool);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        factory.Store("256").FailDeletes = true;

        var response = await factory.Signed().DeleteAsync(fileName, "256");

        await AssertUnavailableAsync(response);
        Assert.True(factory.HasCopy(fileName, "0"));
        Assert.True(factory.HasCopy(fileName, "256"));
        Assert.Equal(["0"], (await factory.FindAsync(fileName[2..]))!.Locations);
        Assert.Equal([$"{fileName[2..]} copy 256 state=2", $"{fileName[2..]} state=1"], factory.CatalogRows());
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().HashAsync(fileName, "256"), "0300011", "The file does not exist.");
        // Download searches the locations in order: location 0's copy, which the catalog lists, is served.
        using var served = await factory.Signed().DownloadAsync(fileName);
        Assert.Equal(Samples.Sine, await served.Content.ReadAsByteArrayAsync());
        factory.Store("256").FailDeletes = false;

        var retried = await factory.Signed().DeleteAsync(fileName, "256");

        await CcfsAnswer.AssertTripleAsync(retried, "0", "success");
        Assert.False(factory.HasCopy(fileName, "256"));
        Assert.True(factory.HasCopy(fileName, "0"));
        Assert.Equal(["0"], (await factory.FindAsync(fileName[2..]))!.Locations);
        Assert.Equal([$"{fileName[2..]} state=1"], factory.CatalogRows());
    }

    [Fact]
    public async Task A_copy_whose_delete_failed_is_removed_by_recovery_without_a_retry()
    {
        using var factory = new FailingStoreFactory(Pool);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        factory.Store("256").FailDeletes = true;
        await AssertUnavailableAsync(await factory.Signed().DeleteAsync(fileName, "256"));
        factory.Store("256").FailDeletes = false;

        Assert.Equal(new RecoveryPass(1, 0, 0), await factory.RecoverAsync());

        Assert.False(factory.HasCopy(fileName, "256"));
        Assert.Equal([$"{fileName[2..]} state=1"], factory.CatalogRows());
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().HashAsync(fileName, "256"), "0300011", "The file does not exist.");
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().HashAsync(fileName, "0"), "0", "success");
    }

    [Fact]
    public async Task A_pool_upload_whose_copy_cannot_be_undone_keeps_its_row_undoing_so_a_restart_removes_the_copy()
    {
        using var factory = new FailingStoreFactory(Pool);
        factory.Store("256").FailWrites = true;
        factory.Store("0").FailDeletes = true;

        var response = await factory.Signed().UploadAsync(Samples.Sine);

        await AssertUnavailableAsync(response);
        // Undoing, not pending: recovery must never store an upload answered 503, even should every copy be found.
        var pending = Assert.Single(factory.CatalogRows());
        Assert.EndsWith(" state=3", pending, StringComparison.Ordinal);
        var fileName = "Y:" + pending[..pending.IndexOf(' ', StringComparison.Ordinal)];
        Assert.True(factory.HasCopy(fileName, "0"));
        using var restarted = factory.Restart();
        Assert.Empty(restarted.LocationsHolding(fileName));
        Assert.Empty(restarted.CatalogRows());
    }

    [Fact]
    public async Task An_upload_refused_for_a_full_disk_says_so_and_another_write_failure_does_not()
    {
        using var factory = new FailingStoreFactory([]);
        factory.Store("0").FailWrites = true;
        var before = factory.Snapshot();

        factory.Store("0").WriteFailure = () => new IOException("No space left on device : '/data/voice/x.wav'", 28);
        var full = await factory.Signed().UploadAsync(Samples.Sine);
        factory.Store("0").WriteFailure = () => new IOException("Input/output error", 5);
        var broken = await factory.Signed().UploadAsync(Samples.Sine);

        await AssertUnavailableAsync(full);
        Assert.Equal("the file could not be stored: the disk is full; nothing was kept", CcfsAnswer.Reason(full));
        await AssertUnavailableAsync(broken);
        Assert.Equal("the file could not be stored; nothing was kept", CcfsAnswer.Reason(broken));
        Assert.Equal(before, factory.Snapshot());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hash_or_download_whose_read_fails_is_503_and_changes_nothing(bool pool)
    {
        using var factory = new FailingStoreFactory(pool ? Pool : []);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        factory.Store("0").FailReads = true;
        var before = factory.Snapshot();

        var hash = await factory.Signed().HashAsync(fileName);
        var download = await factory.Signed().DownloadAsync(fileName);

        await AssertUnavailableAsync(hash);
        await AssertUnavailableAsync(download);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_catalog_that_fails_is_503_for_hash_and_delete_never_a_500_and_changes_nothing()
    {
        using var factory = new FailingStoreFactory([]);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        factory.Catalog.Fail = true;
        var before = factory.Snapshot();

        var hash = await factory.Signed().HashAsync(fileName);
        var delete = await factory.Signed().DeleteAsync(fileName);

        await AssertUnavailableAsync(hash);
        await AssertUnavailableAsync(delete);
        // Nothing could be marked, and the reason does not promise a delete in the background.
        Assert.EndsWith("; nothing was deleted; try again later", CcfsAnswer.Reason(delete));
        Assert.Equal(before, factory.Snapshot());
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        await CcfsAnswer.AssertTripleAsync(response, "0300503", Unavailable, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
    }

    /// <summary>A server whose location stores fail on demand; a restart is a second node on the same data dir.</summary>
    /// <summary>Moves the clock one Ccfs:Admin:RefreshInterval at a time, so the node looks at the catalog, until the condition holds.</summary>
    private static async Task LookAtTheCatalogUntilAsync(CcfsFactory factory, Func<bool> condition)
    {
        for (var step = 0; !condition() && step < 500; step++)
        {
            factory.Time.Advance(TimeSpan.FromSeconds(2));
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private sealed class FailingStoreFactory(Dictionary<string, string?> locations, string? dataDir = null, string? catalog = null,
        IReadOnlyDictionary<string, TestBucket>? buckets = null)
        : CcfsFactory(locations, dataDir: dataDir, catalog: catalog, buckets: buckets)
    {
        private readonly Dictionary<string, string?> _locations = locations;
        private readonly Dictionary<string, FailingStore> _stores = [];

        public FailingStore Store(string locationId)
        {
            _ = Services;
            return _stores[locationId];
        }

        public FailingCatalog Catalog => (FailingCatalog)Services.GetRequiredService<IFileCatalog>();

        /// <summary>Stops this server and starts it again on this data dir with healthy stores, so start-up recovery runs.</summary>
        public CcfsFactory Restart()
        {
            StopKeepingData();
            var restarted = new FailingStoreFactory(_locations, DataDir, CatalogConnectionString, Buckets);
            _ = restarted.Services;
            return restarted;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IFileCatalog>(sp => new FailingCatalog(
                ProviderCatalog(sp))));
            builder.ConfigureServices(services => services.AddSingleton(sp =>
            {
                var configured = sp.GetRequiredService<LocationStores>().Stores;
                foreach (var store in configured)
                {
                    _stores[store.LocationId] = new FailingStore(store);
                }

                return new LocationSet([.. configured.Select(s => (IFileStore)_stores[s.LocationId])]);
            }));
        }
    }

    /// <summary>A catalog whose lookups fail on demand, as SQLite does when its file is unreadable or locked too long.</summary>
    private sealed class FailingCatalog(IFileCatalog inner) : DelegatingFileCatalog(inner)
    {
        public bool Fail { get; set; }

        public override Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken) =>
            Fail ? throw new SqliteException("injected: disk I/O error", 10) : base.FindAsync(path, cancellationToken);

        public override Task<FileRecord?> BeginDeleteAsync(string path, string actor, CancellationToken cancellationToken) =>
            Fail ? throw new SqliteException("injected: disk I/O error", 10) : base.BeginDeleteAsync(path, actor, cancellationToken);
    }

    private sealed class FailingStore(IFileStore inner) : DelegatingFileStore(inner)
    {
        public bool FailWrites { get; set; }

        public Func<Exception> WriteFailure { get; set; } = () => new IOException("injected: the disk cannot be written");

        public bool FailDeletes { get; set; }

        public bool FailReads { get; set; }

        public override Task<WrittenCopy> PlaceAsync(IStagedFile staged, StoragePath path, CancellationToken cancellationToken) =>
            FailWrites ? throw WriteFailure() : base.PlaceAsync(staged, path, cancellationToken);

        public override Task UndoWriteAsync(WrittenCopy copy, CancellationToken cancellationToken) =>
            FailDeletes ? throw new IOException("injected: the disk refuses to delete") : base.UndoWriteAsync(copy, cancellationToken);

        public override Task<bool> DeleteAsync(StoragePath path, CancellationToken cancellationToken) =>
            FailDeletes ? throw new IOException("injected: the disk refuses to delete") : base.DeleteAsync(path, cancellationToken);

        public override Task<Stream?> OpenReadAsync(StoragePath path, CancellationToken cancellationToken) =>
            FailReads ? throw new IOException("injected: the disk cannot be read") : base.OpenReadAsync(path, cancellationToken);
    }
}
