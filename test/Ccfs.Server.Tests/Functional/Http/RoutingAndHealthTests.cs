using System.Net;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Http;

public sealed class RoutingAndHealthTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    [Theory]
    [InlineData("/CCFS/resource/ccfs/ivr/uploadfile")]
    [InlineData("/ccfs/resource/ccfs/ivr/uploadFile")]
    [InlineData("/CCFS/resource/ccfs/ivr/nothing")]
    [InlineData("/CCFS/resource/ccfs/ivr/uploadFile/")]
    [InlineData("/somewhere/else")]
    public async Task Unknown_and_wrongly_cased_paths_are_404_with_the_spring_body(string path)
    {
        var before = factory.Snapshot();

        var response = await factory.Signed().PostAsync(path + "?vdnId=53", SignedClient.UploadBody(Samples.Sine));

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.NotFound, path);
        Assert.Equal(before, factory.Snapshot());
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Other_methods_are_405_with_the_spring_body(string method)
    {
        var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), CcfsPaths.UploadFile));

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.MethodNotAllowed, CcfsPaths.UploadFile);
    }

    [Fact]
    public async Task Liveness_and_readiness_are_200_when_the_catalog_and_locations_work()
    {
        var client = factory.CreateClient();

        var live = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.Equal(["catalog", "location:0"], checks.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    [Trait("Catalog", "Sqlite")]
    public async Task Readiness_fails_while_the_catalog_cannot_be_written_and_recovers_after()
    {
        using var locked = CcfsFactory.With([]);
        var client = locked.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        // Another writer holds the catalog's write lock: reads still work, writes cannot start.
        using (var writer = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(locked.DataDir, "catalog.db")};Pooling=False"))
        {
            writer.Open();
            using var begin = writer.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();

            var ready = await client.GetAsync("/readyz");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var catalog = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks")
                .EnumerateArray().Single(c => c.GetProperty("name").GetString() == "catalog");
            Assert.Equal("Unhealthy", catalog.GetProperty("status").GetString());
            // The write waits for the lock past the readiness bound (3 s, shorter than the 5 s write timeout): /readyz answers anyway.
            Assert.Contains("did not take a write within the readiness timeout", catalog.GetProperty("description").GetString(),
                StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Readiness_fails_naming_the_location_that_cannot_be_written_while_liveness_holds()
    {
        using var broken = CcfsFactory.With([]);
        var client = broken.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        broken.BreakLocation();

        var live = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var location = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks")
            .EnumerateArray().Single(c => c.GetProperty("name").GetString() == "location:0");
        Assert.Equal("Unhealthy", location.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("0", "256")]
    [InlineData("256", "0")]
    public async Task In_pool_mode_readiness_reports_each_location_and_names_the_one_that_cannot_be_written(string broken, string healthy)
    {
        using var pool = new PoolFactory();
        var client = pool.CreateClient();
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal([("catalog", "Healthy"), ("location:0", "Healthy"), ("location:256", "Healthy")],
            (await ChecksAsync(ready)).Select(c => (c.Name, c.Status)));
        pool.BreakLocation(broken);

        var notReady = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        var checks = await ChecksAsync(notReady);
        Assert.Equal(("Unhealthy", true), checks.Where(c => c.Name == $"location:{broken}")
            .Select(c => (c.Status, c.Description.StartsWith($"location {broken} cannot be written", StringComparison.Ordinal))).Single());
        Assert.Equal("Healthy", checks.Single(c => c.Name == $"location:{healthy}").Status);
        Assert.Equal("Healthy", checks.Single(c => c.Name == "catalog").Status);
    }

    private static async Task<List<(string Name, string Status, string Description)>> ChecksAsync(HttpResponseMessage readiness) =>
    [
        .. JsonDocument.Parse(await readiness.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").EnumerateArray()
            .Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("status").GetString()!,
                c.GetProperty("description").GetString() ?? "")),
    ];
}
