using System.Globalization;
using System.Net;
using Ccfs.Server.Catalog;
using Ccfs.Server.Paths;
using Ccfs.Server.Quotas;
using Ccfs.Server.Storage;
using static Ccfs.Server.Tests.Functional.Quotas.RecordingRetentionTests;
using static Ccfs.Server.Tests.Functional.Quotas.RetentionTests;

namespace Ccfs.Server.Tests.Functional.Quotas;

/// <summary>
/// A pin and retention's delete of the same file, each landing in the other's last moment
/// (docs/quotas-and-retention.md): a pin that lands after the sweep's last look still keeps the file, a pin that lands
/// once the delete is committed is refused (409), and a pin of a recording deleted meanwhile is taken back (404).
/// </summary>
public sealed class PinRaceTests
{
    private const string Recording = "voice/53/IVRrecordFile/20261201/093012-record.wav";

    /// <summary>The recording's name in the catalog's tables.</summary>
    private const string Key = "/" + Recording;

    private const string FrozenNode = "0123456789ab";

    [Fact]
    public async Task A_pin_that_lands_after_the_sweeps_last_look_keeps_the_stored_file()
    {
        using var factory = new HookedFactory();
        var name = await ExpiredPromptAsync(factory);
        factory.Catalog.BeforeRetentionMark = () => PinAsync(factory, name, "pin", HttpStatusCode.OK);

        await SweepNowAsync(factory);

        Assert.True(factory.Catalog.HookRan);
        Assert.True(factory.HasCopy(name));
        Assert.NotNull(await factory.FindAsync(name[2..]));
        Assert.True(await factory.Services.GetRequiredService<RetentionStore>().IsPinnedAsync(name[2..], CancellationToken.None));
        Assert.DoesNotContain(await EventsAsync(factory), e => e.GetProperty("type").GetString() == EventTypes.Expired);
    }

    [Fact]
    public async Task A_pin_of_a_stored_file_retention_marked_for_its_delete_is_refused_and_leaves_no_pin()
    {
        using var factory = new HookedFactory();
        var name = await ExpiredPromptAsync(factory);
        HttpStatusCode? answered = null;
        factory.Catalog.AfterRetentionMark = async () =>
        {
            var refused = await PinAsync(factory, name, "pin", HttpStatusCode.Conflict);
            Assert.Contains("is being deleted", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
            answered = HttpStatusCode.Conflict;
        };

        await SweepNowAsync(factory);

        Assert.Equal(HttpStatusCode.Conflict, answered);
        Assert.False(factory.HasCopy(name));
        Assert.Null(await factory.FindAsync(name[2..]));
        Assert.Equal(0, factory.CatalogCount("file_pins"));
    }

    [Fact]
    public async Task A_pin_that_lands_after_the_sweeps_last_look_keeps_the_recording()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var pins = factory.Services.GetRequiredService<RetentionStore>();
        // The sweep's last look at the recording is its stat of each copy; the pin lands right after it.
        factory.Store.AfterStat = () => pins.PinAsync(Key, CcfsFactory.Vdn, stored: false, "test", factory.Time.GetUtcNow(),
            CancellationToken.None);

        await SweepNowAsync(factory);

        Assert.True(factory.Store.HookRan);
        Assert.NotNull(factory.ReadStored(Recording));
        Assert.True(await pins.IsPinnedAsync(Key, CancellationToken.None));
    }

    [Fact]
    public async Task A_recording_claimed_for_its_delete_cannot_be_pinned_and_the_claim_is_no_pin()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        var instance = factory.Services.GetRequiredService<NodeIdentity>().Instance;
        await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None);
        Assert.True(await store.ClaimAsync(CcfsFactory.Vdn, null, instance, CancellationToken.None));
        Assert.True(await store.ClaimExpiryAsync(Key, CcfsFactory.Vdn, instance, factory.Time.GetUtcNow(), CancellationToken.None));

        var refused = await PinAsync(factory, "Y:/" + Recording, "pin", HttpStatusCode.Conflict);

        Assert.Contains("is being deleted", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(await store.IsPinnedAsync(Key, CancellationToken.None));
        Assert.Empty(await store.PinsAsync(CcfsFactory.Vdn, CancellationToken.None));
        Assert.Single((await PreviewAsync(factory, CcfsFactory.Vdn)).GetProperty("files").EnumerateArray());
        Assert.False((await PinAsync(factory, "Y:/" + Recording, "unpin", HttpStatusCode.OK)).GetProperty("changed").GetBoolean());

        // As if the node crashed mid-delete and its sweep was given up: the claim stays, the next sweep carries the delete
        // out and leaves no claim.
        await store.ReleaseAsync(CcfsFactory.Vdn, instance, CancellationToken.None);
        Assert.Equal(1, factory.CatalogCount("file_pins"));

        await SweepNowAsync(factory);

        Assert.Null(factory.ReadStored(Recording));
        Assert.Equal(0, factory.CatalogCount("file_pins"));
    }

    [Fact]
    public async Task A_recording_delete_a_gone_node_began_is_carried_out_though_the_file_is_no_longer_expired()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        await ClaimedByAFrozenNodeAsync(factory, store);
        // Then retainFor is raised: the recording is no longer expired, so no sweep would start its delete now.
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "30.00:00:00" });

        await SweepNowAsync(factory);

        // Dropping the claim instead would have let the pin below in, and the frozen node's delete would then lose a pinned file.
        Assert.Null(factory.ReadStored(Recording));
        Assert.Equal(0, factory.CatalogCount("file_pins"));
        await PinAsync(factory, "Y:/" + Recording, "pin", HttpStatusCode.NotFound);
        Assert.Equal(0, factory.CatalogCount("file_pins"));
    }

    [Fact]
    public async Task A_recording_delete_a_gone_node_began_is_carried_out_though_the_VDN_no_longer_has_a_retainFor()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        await ClaimedByAFrozenNodeAsync(factory, store);
        using (var reset = await factory.Admin().SendAsync(HttpMethod.Delete, $"/admin/api/parameters/vdns/{CcfsFactory.Vdn}"))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        await SweepNowAsync(factory);

        Assert.Null(factory.ReadStored(Recording));
        Assert.Equal(0, factory.CatalogCount("file_pins"));
    }

    [Fact]
    public async Task A_claim_taken_over_from_a_gone_node_is_not_dropped_by_that_node_waking_up()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        var instance = factory.Services.GetRequiredService<NodeIdentity>().Instance;
        await ClaimedByAFrozenNodeAsync(factory, store);

        Assert.True(await store.TakeExpiryClaimAsync(Key, instance, CancellationToken.None));
        // The frozen node wakes, its delete fails, and its finally drops what it thinks is its claim.
        await store.DropExpiryClaimAsync(Key, FrozenNode, CancellationToken.None);

        var refused = await PinAsync(factory, "Y:/" + Recording, "pin", HttpStatusCode.Conflict);
        Assert.Contains("is being deleted", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        await store.DropExpiryClaimAsync(Key, instance, CancellationToken.None);
        Assert.Equal(0, factory.CatalogCount("file_pins"));
    }

    [Fact]
    public async Task A_recording_delete_taken_over_midway_is_counted_by_the_node_that_took_it_not_by_both()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        // As this node unlinks the recording, another (the frozen node's id stands for it) thinks it gone and takes its claim.
        factory.Store.AfterDelete = async () => Assert.True(await store.TakeExpiryClaimAsync(Key, FrozenNode, CancellationToken.None));

        await SweepNowAsync(factory);

        Assert.True(factory.Store.HookRan);
        Assert.Null(factory.ReadStored(Recording));
        Assert.Equal(0, ExpiredCount(factory));
        Assert.Equal(1, factory.CatalogCount("file_pins"));
        Assert.Contains(factory.Logs, l => l.Message.Contains("was taken over by another node", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_name_claimed_for_a_recordings_delete_is_reserved_by_no_upload_until_the_delete_is_done()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var catalog = factory.Services.GetRequiredService<IFileCatalog>();
        var record = new FileRecord(Key, "Y:/" + Recording, CcfsFactory.Vdn, Samples.Sine.Length, "00", "alaw", 1000, "seed",
            factory.Time.GetUtcNow(), ["0"]);
        // Between the claim and the delete, an upload asks for the recording's exact name (a seed with a fixed name): were
        // it given the name, the delete would take the copies it places.
        var reservedDuringTheDelete = true;
        factory.Store.BeforeDeleteCheck = async () => reservedDuringTheDelete = await catalog.TryReserveAsync(record, CancellationToken.None);

        await SweepNowAsync(factory);

        Assert.True(factory.Store.HookRan);
        Assert.False(reservedDuringTheDelete);
        Assert.Null(factory.ReadStored(Recording));
        Assert.Equal(1, ExpiredCount(factory));
        Assert.Equal(0, factory.CatalogCount("file_pins"));
        Assert.True(await catalog.TryReserveAsync(record, CancellationToken.None));
    }

    [Fact]
    public async Task A_recording_delete_a_killed_node_had_done_but_not_recorded_is_counted_and_audited_once()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        await ClaimedByAFrozenNodeAsync(factory, store);
        // The node unlinked the recording and was killed before it dropped its claim, counted and audited the delete.
        Assert.True(await factory.Store.DeleteAsync(StoreByRelativePath.Path(Recording), CancellationToken.None));

        await SweepNowAsync(factory);

        Assert.Equal(1, ExpiredCount(factory));
        Assert.Equal("Y:/" + Recording, Assert.Single(await RetentionAuditAsync(factory, 1)));
        Assert.Equal(0, factory.CatalogCount("file_pins"));
    }

    [Fact]
    public async Task A_recording_is_not_claimed_for_its_delete_once_pinned_or_by_a_node_not_holding_the_sweep()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        var instance = factory.Services.GetRequiredService<NodeIdentity>().Instance;
        await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None);

        Assert.False(await store.ClaimExpiryAsync(Key, CcfsFactory.Vdn, instance, factory.Time.GetUtcNow(), CancellationToken.None));

        Assert.True(await store.ClaimAsync(CcfsFactory.Vdn, null, instance, CancellationToken.None));
        await PinAsync(factory, "Y:/" + Recording, "pin", HttpStatusCode.OK);
        Assert.False(await store.ClaimExpiryAsync(Key, CcfsFactory.Vdn, instance, factory.Time.GetUtcNow(), CancellationToken.None));
        Assert.True(await store.IsPinnedAsync(Key, CancellationToken.None));
    }

    [Fact]
    public async Task A_pin_of_a_recording_deleted_while_it_was_being_pinned_is_taken_back()
    {
        using var factory = new HookedFactory();
        await ExpiredRecordingAsync(factory);
        // Retention (or a hand) deletes the recording right after the pin found it.
        factory.Store.AfterStat = async () => Assert.True(await factory.Store.DeleteAsync(StoreByRelativePath.Path(Recording), CancellationToken.None));

        var refused = await PinAsync(factory, "Y:/" + Recording, "pin", HttpStatusCode.NotFound);

        Assert.Contains("was deleted while it was being pinned", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, factory.CatalogCount("file_pins"));
    }

    /// <summary>A node frozen past its lease mid-delete: it holds the VDN's sweep and the recording's claim, and may still wake up and delete.</summary>
    private static async Task ClaimedByAFrozenNodeAsync(HookedFactory factory, RetentionStore store)
    {
        await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None);
        Assert.True(await store.ClaimAsync(CcfsFactory.Vdn, null, FrozenNode, CancellationToken.None));
        Assert.True(await store.ClaimExpiryAsync(Key, CcfsFactory.Vdn, FrozenNode, factory.Time.GetUtcNow(), CancellationToken.None));
    }

    private static double ExpiredCount(HookedFactory factory) =>
        factory.Services.GetRequiredService<QuotaMetrics>().Expired.WithLabels(CcfsFactory.Vdn.ToString(CultureInfo.InvariantCulture)).Value;

    /// <summary>A prompt stored two days ago, under a retainFor of one day.</summary>
    private static async Task<string> ExpiredPromptAsync(HookedFactory factory)
    {
        var name = await factory.Signed().StoreAsync(Samples.Sine);
        factory.Time.Advance(TimeSpan.FromDays(2));
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });
        return name;
    }

    /// <summary>A recording older than a retainFor of one day.</summary>
    private static async Task ExpiredRecordingAsync(HookedFactory factory)
    {
        factory.PutStored(Recording, Samples.Sine);
        await AgeAsync(factory, [Recording]);
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });
    }

    /// <summary>A server whose own sweeper is off, with hooks in its catalog and its one location.</summary>
    private sealed class HookedFactory() : CcfsFactory(new()
    {
        ["Ccfs:Retention:DeletesPerSecond"] = "10000",
        ["Ccfs:Retention:Enabled"] = "false",
    })
    {
        public HookedCatalog Catalog => (HookedCatalog)Services.GetRequiredService<IFileCatalog>();

        public HookedStore Store { get; private set; } = null!;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IFileCatalog>(sp => new HookedCatalog(ProviderCatalog(sp)));
                services.AddSingleton(sp =>
                {
                    Store = new HookedStore(sp.GetRequiredService<LocationStores>().Stores[0]);
                    return new LocationSet([Store]);
                });
            });
        }
    }

    /// <summary>Runs a test's step, once, just before or just after retention's delete marks a stored file.</summary>
    private sealed class HookedCatalog(IFileCatalog inner) : DelegatingFileCatalog(inner)
    {
        public Func<Task>? BeforeRetentionMark { get; set; }

        public Func<Task>? AfterRetentionMark { get; set; }

        public bool HookRan { get; private set; }

        public override async Task<FileRecord?> BeginDeleteAsync(string path, string actor, CancellationToken cancellationToken)
        {
            if (actor == EventTypes.RetentionActor)
            {
                await RunAsync(BeforeRetentionMark);
            }

            return await base.BeginDeleteAsync(path, actor, cancellationToken);
        }

        public override async Task<FileRecord?> BeginExpireAsync(string path, DateTimeOffset createdBefore, CancellationToken cancellationToken)
        {
            await RunAsync(BeforeRetentionMark);
            var marked = await base.BeginExpireAsync(path, createdBefore, cancellationToken);
            await RunAsync(AfterRetentionMark);
            return marked;
        }

        private async Task RunAsync(Func<Task>? hook)
        {
            if (hook is not null && !HookRan)
            {
                HookRan = true;
                await hook();
            }
        }
    }

    /// <summary>Runs a test's step, once, right after the first look at a file or the first delete.</summary>
    private sealed class HookedStore(IFileStore inner) : DelegatingFileStore(inner)
    {
        public Func<Task>? AfterStat { get; set; }

        public Func<Task>? AfterDelete { get; set; }

        public Func<Task>? BeforeDeleteCheck { get; set; }

        public bool HookRan { get; private set; }

        public override async Task<StoredFile?> StatAsync(StoragePath path, CancellationToken cancellationToken)
        {
            var found = await base.StatAsync(path, cancellationToken);
            if (AfterStat is { } hook && !HookRan)
            {
                HookRan = true;
                await hook();
            }

            return found;
        }

        public override async Task CheckDeletableAsync(StoragePath path, CancellationToken cancellationToken)
        {
            if (BeforeDeleteCheck is { } hook && !HookRan)
            {
                HookRan = true;
                await hook();
            }

            await base.CheckDeletableAsync(path, cancellationToken);
        }

        public override async Task<bool> DeleteAsync(StoragePath path, CancellationToken cancellationToken)
        {
            var deleted = await base.DeleteAsync(path, cancellationToken);
            if (AfterDelete is { } hook && !HookRan)
            {
                HookRan = true;
                await hook();
            }

            return deleted;
        }
    }
}
