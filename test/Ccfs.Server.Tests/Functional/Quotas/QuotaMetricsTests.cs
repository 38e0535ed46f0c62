using Ccfs.Server.Catalog;
using Ccfs.Server.Tests.Functional.Observability;

namespace Ccfs.Server.Tests.Functional.Quotas;

/// <summary>
/// The per-VDN gauges are read from the catalog at a scrape, but a scrape never waits on a catalog that does not
/// answer (a frozen PostgreSQL): it answers with the last values after at most a second, every other metric with it,
/// and <c>ccfs_vdn_usage_age_seconds</c> says how old they are. Scrapes meanwhile share the one read under way.
/// </summary>
public sealed class QuotaMetricsTests
{
    [Fact]
    public async Task A_scrape_while_the_catalog_does_not_answer_gives_the_last_usage_and_its_age()
    {
        using var factory = new FrozenUsageFactory();
        var name = await factory.Signed().StoreAsync(Samples.Sine);
        var before = await ObservabilityTests.ScrapeAsync(factory.CreateClient());
        Assert.Equal(1, before["ccfs_vdn_used_files{vdn=\"53\"}"]);
        await factory.Signed().StoreAsync(Samples.Sine);
        factory.Catalog.Freeze();

        var scrapes = Enumerable.Range(0, 3).Select(_ => ObservabilityTests.ScrapeAsync(factory.CreateClient())).ToList();
        // The scrapes wait a second of the server's (fake) clock for the read, then answer without it.
        for (var i = 0; i < 3000 && !scrapes.All(s => s.IsCompleted); i++)
        {
            factory.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10);
        }

        Assert.All(scrapes, s => Assert.True(s.IsCompletedSuccessfully));
        Assert.False(factory.Catalog.Released);
        Assert.Equal(1, factory.Catalog.FrozenReads);
        var during = await scrapes[0];
        Assert.Equal(1, during["ccfs_vdn_used_files{vdn=\"53\"}"]);
        Assert.True(during["ccfs_vdn_usage_age_seconds"] >= 1);
        Assert.Contains("ccfs_requests_total{interface=\"uploadFile\",result_code=\"0\"}", during.Keys);

        factory.Catalog.Release();
        var after = await ObservabilityTests.ScrapeAsync(factory.CreateClient());
        for (var i = 0; i < 100 && after["ccfs_vdn_used_files{vdn=\"53\"}"] != 2; i++)
        {
            await Task.Delay(50);
            after = await ObservabilityTests.ScrapeAsync(factory.CreateClient());
        }

        Assert.Equal(2, after["ccfs_vdn_used_files{vdn=\"53\"}"]);
        Assert.True(after["ccfs_vdn_usage_age_seconds"] < 1, name);
    }

    private sealed class FrozenUsageFactory() : CcfsFactory([])
    {
        public FrozenUsageCatalog Catalog => (FrozenUsageCatalog)Services.GetRequiredService<IFileCatalog>();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IFileCatalog>(sp => new FrozenUsageCatalog(ProviderCatalog(sp))));
        }
    }

    /// <summary>A catalog whose usage reads, once frozen, wait until released, as a frozen database's would.</summary>
    private sealed class FrozenUsageCatalog(IFileCatalog inner) : DelegatingFileCatalog(inner)
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _frozen;
        private int _frozenReads;

        public bool Released => _released.Task.IsCompleted;

        public int FrozenReads => Volatile.Read(ref _frozenReads);

        public void Freeze() => _frozen = true;

        public void Release() => _released.TrySetResult();

        public override async Task<IReadOnlyList<VdnUsage>> ListUsageAsync(CancellationToken cancellationToken)
        {
            if (_frozen && !Released)
            {
                Interlocked.Increment(ref _frozenReads);
                await _released.Task;
            }

            return await base.ListUsageAsync(cancellationToken);
        }
    }
}
