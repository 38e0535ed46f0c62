using Ccfs.Server.Lifecycle;
using Ccfs.Server.Paths;
using Ccfs.Server.Quotas;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Tests.Functional.Quotas;

/// <summary>
/// The preview (<see cref="RetentionCandidates.NextSweepAsync"/>) reads the catalog's expired files, then lists the
/// locations for files no row names. A file deleted in between (its row gone, its copy listed just before) was found
/// both ways and listed twice, as once on PostgreSQL+S3 under load, where a listing page is read long before its rows
/// are looked up.
/// </summary>
public sealed class RetentionPreviewTests
{
    [Fact]
    public async Task A_file_deleted_while_the_preview_lists_the_locations_is_listed_once()
    {
        using var factory = new ListingHookFactory();
        var name = await factory.Signed().StoreAsync(Samples.Sine);
        factory.Time.Advance(TimeSpan.FromDays(2));
        await QuotaTests.SetVdnAsync(factory, CcfsFactory.Vdn, new { retainFor = "1.00:00:00" });
        factory.Store.AfterListing = async page =>
        {
            if (!page.Files.Any(f => "Y:" + f.Path.CatalogKey == name))
            {
                return;
            }

            factory.Store.AfterListing = null;
            Assert.True(LogicalPath.TryParse(name, 'Y', out var path, out _));
            Assert.True(await factory.Services.GetRequiredService<FileRemoval>().EverywhereAsync(path!, "test"));
        };

        var preview = await factory.Services.GetRequiredService<RetentionCandidates>().NextSweepAsync(CcfsFactory.Vdn, 10, CancellationToken.None);

        Assert.Null(factory.Store.AfterListing);
        Assert.Equal([name], preview.Select(f => f.FileName));
    }

    /// <summary>A server whose own sweeper is off: with the clock moved on, it could delete the file before the preview runs.</summary>
    private sealed class ListingHookFactory() : CcfsFactory(new() { ["Ccfs:Retention:Enabled"] = "false" })
    {
        private ListingHookStore? _store;

        /// <summary>The location's store; asking for it starts the server.</summary>
        public ListingHookStore Store => _store ?? (Services.GetRequiredService<LocationSet>().Stores[0] as ListingHookStore)!;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton(sp =>
            {
                _store = new ListingHookStore(sp.GetRequiredService<LocationStores>().Stores[0]);
                return new LocationSet([_store]);
            }));
        }
    }

    /// <summary>Runs <see cref="AfterListing"/> after each page of a listing was read, before its caller looks at it.</summary>
    private sealed class ListingHookStore(IFileStore inner) : DelegatingFileStore(inner)
    {
        public Func<FileTreePage, Task>? AfterListing { get; set; }

        public override async Task<FileTreePage> ListTreeAsync(StoragePath folder, string? after, int limit, CancellationToken cancellationToken)
        {
            var page = await base.ListTreeAsync(folder, after, limit, cancellationToken);
            if (AfterListing is { } hook)
            {
                await hook(page);
            }

            return page;
        }
    }
}
