using System.Net;
using System.Security.Cryptography;
using Ccfs.Protocol;
using Ccfs.Server.Catalog;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>CTI pool mode keeps a copy per location; a failure anywhere leaves nothing anywhere.</summary>
public sealed class PoolAndFailureTests(PoolFactory factory) : IClassFixture<PoolFactory>
{
    [Fact]
    public async Task In_pool_mode_every_location_gets_the_file_and_the_answer_names_them_all()
    {
        var wav = Samples.Read("valid", "alaw-8k-with-list-chunk.wav");

        var json = await CcfsAnswer.AssertTripleAsync(await factory.Signed().UploadAsync(wav), "0", "success");

        var data = json.GetProperty("resultData");
        Assert.Equal(["0", "256"], data.GetProperty("locationId").EnumerateArray().Select(e => e.GetString()));
        var relative = data.GetProperty("fileName").GetString()![3..];
        foreach (var location in new[] { "0", "256" })
        {
            Assert.Equal(SHA256.HashData(wav), SHA256.HashData(factory.ReadStored(relative, location)!));
        }

        Assert.Equal(["0", "256"], (await factory.FindAsync("/" + relative))!.Locations.Order(StringComparer.Ordinal));
    }

    /// <param name="failing">The location that cannot be written.</param>
    /// <param name="obstacle">
    /// Where a file stands in the way of a folder the upload needs there: writes fail, even for root. The other
    /// location has to create the VDN's folders (and with <c>3rdfile</c>, the top folder as well) and must not keep them.
    /// </param>
    [Theory]
    [Trait("Storage", "Disk")]
    [InlineData("256", "3rdfile/55")]
    [InlineData("0", "3rdfile/55")]
    [InlineData("256", "3rdfile")]
    [InlineData("0", "3rdfile")]
    public async Task When_one_location_cannot_be_written_the_upload_is_refused_and_no_copy_folder_or_row_remains(string failing,
        string obstacle)
    {
        using var broken = CcfsFactory.With(new() { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:1:Id"] = "256" });
        if (obstacle == "3rdfile")
        {
            _ = broken.Services; // start-up creates the location folders
        }
        else
        {
            await broken.Signed().StoreAsync(Samples.Sine);
        }

        File.WriteAllText(Path.Combine(broken.LocationRoot(failing), obstacle), "in the way");
        var before = broken.Snapshot();

        var response = await broken.Signed().UploadAsync(Samples.Sine, vdnId: 55);

        await CcfsAnswer.AssertTripleAsync(response, "0300503", "The service is temporarily unavailable, try again later.",
            HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(before, broken.Snapshot());
    }

    [Fact]
    public async Task When_the_catalog_cannot_commit_the_written_copies_are_removed()
    {
        using var failing = new FailingCommitFactory();
        var before = failing.Snapshot();

        var response = await failing.Signed().UploadAsync(Samples.Sine);

        await CcfsAnswer.AssertTripleAsync(response, "0300503", "The service is temporarily unavailable, try again later.",
            HttpStatusCode.ServiceUnavailable);
        Assert.Equal(before, failing.Snapshot());
    }

    private sealed class FailingCommitFactory() : CcfsFactory(new() { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:1:Id"] = "256" })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IFileCatalog>(sp => new FailingCommitCatalog(
                    ProviderCatalog(sp)));
            });
        }
    }

    private sealed class FailingCommitCatalog(IFileCatalog inner) : DelegatingFileCatalog(inner)
    {
        public override Task<CommitOutcome> CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken) =>
            throw new IOException("disk full");
    }
}
