using Ccfs.Server.Catalog;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Paths;
using Ccfs.Server.Quotas;

namespace Ccfs.Server.Tests.Functional.Quotas;

/// <summary>
/// Retention's delete of a recording (<see cref="FileRemoval.UnlistedAsync"/>) says what it did, and the claim a gone node
/// left on a recording keeps its name from any upload until a sweep has carried the delete out.
/// </summary>
public sealed class UnlistedRemovalTests
{
    private const string Recording = "voice/53/IVRrecordFile/20261201/093012-record.wav";

    [Fact]
    public async Task An_unlisted_delete_says_whether_it_removed_found_nothing_or_found_a_row()
    {
        using var factory = new RowAppearingFactory();
        var removal = factory.Services.GetRequiredService<FileRemoval>();
        factory.PutStored(Recording, Samples.Sine);

        Assert.Equal(UnlistedRemoval.Removed, await removal.UnlistedAsync(Parse("Y:/" + Recording)));
        Assert.Null(factory.ReadStored(Recording));
        Assert.Equal(UnlistedRemoval.NothingThere, await removal.UnlistedAsync(Parse("Y:/" + Recording)));

        var prompt = await factory.Signed().StoreAsync(Samples.Sine);
        Assert.Equal(UnlistedRemoval.RowNamesIt, await removal.UnlistedAsync(Parse(prompt)));
        Assert.True(factory.HasCopy(prompt));
    }

    [Fact]
    public async Task A_name_under_a_left_claim_is_reserved_by_no_upload_until_the_sweep_has_carried_the_delete_out()
    {
        using var factory = new RowAppearingFactory();
        var store = await LeaveClaimAsync(factory);
        // After the sweep finds no row, and before the delete looks again, an upload asks for the name: the claim holds it.
        factory.Catalog.RowAppearsAt = "/" + Recording;

        await RecordingRetentionTests.SweepNowAsync(factory);

        Assert.False(factory.Catalog.Reserved);
        Assert.Null(factory.ReadStored(Recording));
        Assert.Contains(factory.Logs, l => l.Message.StartsWith("Retention finished the delete", StringComparison.Ordinal));
        Assert.Empty(await store.ExpiryClaimsAsync(CcfsFactory.Vdn, CancellationToken.None));
        Assert.True(await factory.Catalog.ReserveAsync("/" + Recording));
    }

    [Fact]
    public async Task A_node_with_retention_off_still_finishes_the_delete_a_gone_node_left_and_nothing_more()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:RetainFor"] = "1.00:00:00", ["Ccfs:Retention:Enabled"] = "false" });
        var prompt = await factory.Signed().StoreAsync(Samples.Sine);
        var store = await LeaveClaimAsync(factory);

        // Two days in looks of a minute: the prompt has long expired, and a sweep would have deleted it.
        for (var look = 0; look < 200 && (await store.ExpiryClaimsAsync(CcfsFactory.Vdn, CancellationToken.None)).Count > 0; look++)
        {
            factory.Time.Advance(TimeSpan.FromMinutes(15));
            await Task.Delay(10);
        }

        Assert.Empty(await store.ExpiryClaimsAsync(CcfsFactory.Vdn, CancellationToken.None));
        Assert.Null(factory.ReadStored(Recording));
        Assert.Contains(factory.Logs, l => l.Message.StartsWith("Retention finished the delete", StringComparison.Ordinal));
        Assert.True(factory.HasCopy(prompt));
        Assert.NotNull(await factory.FindAsync(prompt[2..]));
        var sweep = await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None);
        Assert.Null(sweep.ClaimedBy);
        Assert.Equal(DateTimeOffset.UnixEpoch, sweep.LastSweptAt);
        Assert.True(await factory.Services.GetRequiredService<IFileCatalog>().TryReserveAsync(new FileRecord("/" + Recording, "Y:/" + Recording,
            CcfsFactory.Vdn, Samples.Sine.Length, "00", "pcm16", 1, CcfsFactory.AccessKey, DateTimeOffset.UnixEpoch, ["0"]), CancellationToken.None));
    }

    /// <summary>The recording, and the claim for its delete that a node, gone since, left while it held the VDN's sweep.</summary>
    private static async Task<RetentionStore> LeaveClaimAsync(CcfsFactory factory)
    {
        factory.PutStored(Recording, Samples.Sine);
        var store = factory.Services.GetRequiredService<RetentionStore>();
        await store.SweepOfAsync(CcfsFactory.Vdn, CancellationToken.None);
        Assert.True(await store.ClaimAsync(CcfsFactory.Vdn, null, "gone-instance", CancellationToken.None));
        Assert.True(await store.ClaimExpiryAsync("/" + Recording, CcfsFactory.Vdn, "gone-instance", factory.Time.GetUtcNow(),
            CancellationToken.None));
        return store;
    }

    private static LogicalPath Parse(string fileName)
    {
        Assert.True(LogicalPath.TryParse(fileName, 'Y', out var path, out var problem), problem);
        return path!;
    }

    private sealed class RowAppearingFactory : CcfsFactory
    {
        private RowAppearingCatalog? _catalog;

        /// <summary>The catalog; asking for it starts the server.</summary>
        public RowAppearingCatalog Catalog => _catalog ?? (Services.GetRequiredService<IFileCatalog>() as RowAppearingCatalog)!;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IFileCatalog>(sp => _catalog = new RowAppearingCatalog(ProviderCatalog(sp))));
        }
    }

    /// <summary>
    /// Tries to reserve <see cref="RowAppearsAt"/> for an upload just before the first look at its state, then forgets it;
    /// <see cref="Reserved"/> says whether it was given the name.
    /// </summary>
    private sealed class RowAppearingCatalog(IFileCatalog inner) : DelegatingFileCatalog(inner)
    {
        private readonly IFileCatalog _inner = inner;

        public string? RowAppearsAt { get; set; }

        public bool? Reserved { get; private set; }

        public Task<bool> ReserveAsync(string path) => _inner.TryReserveAsync(new FileRecord(path, "Y:" + path, CcfsFactory.Vdn,
            Samples.Sine.Length, "00", "pcm16", 1, CcfsFactory.AccessKey, DateTimeOffset.UnixEpoch, ["0"]), CancellationToken.None);

        public override async Task<(FileState State, string? Owner)?> StateOfAsync(string path, CancellationToken cancellationToken)
        {
            if (path == RowAppearsAt)
            {
                RowAppearsAt = null;
                Reserved = await ReserveAsync(path);
            }

            return await base.StateOfAsync(path, cancellationToken);
        }
    }
}
