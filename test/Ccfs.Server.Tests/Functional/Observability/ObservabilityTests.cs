using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Observability;

/// <summary>/metrics, the health endpoints and the API description.</summary>
public sealed partial class ObservabilityTests
{
    [Fact]
    public async Task Metrics_move_by_what_the_traffic_did()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "2" });
        var client = factory.Signed();
        var wav = Samples.Read("valid", "alaw-8k-with-list-chunk.wav");
        var atStart = await ScrapeAsync(factory);
        var name = await client.StoreAsync(wav);
        await client.StoreAsync(Samples.Sine);
        await client.UploadAsync(Samples.Read("invalid", "alaw-16k.wav"));
        await client.HashAsync(name);
        await client.DownloadAsync(name);
        await client.DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav");
        await client.UploadAsync(Samples.Sine, vdnId: CcfsFactory.OtherVdn);
        var fromAway = new SignOptions { AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, "198.51.100.77") };
        await client.UploadAsync(Samples.Sine, options: fromAway with { Credential = new(CcfsFactory.AccessKey, "wrong") });
        await client.UploadAsync(Samples.Sine, options: fromAway with { Credential = new(CcfsFactory.AccessKey, "wrong") });
        await client.UploadAsync(Samples.Sine, options: fromAway);

        var metrics = await ScrapeAsync(factory);

        Assert.Equal(2, metrics["ccfs_requests_total{interface=\"uploadFile\",result_code=\"0\"}"]);
        Assert.Equal(1, metrics["ccfs_requests_total{interface=\"uploadFile\",result_code=\"0300004\"}"]);
        Assert.Equal(3, metrics["ccfs_requests_total{interface=\"uploadFile\",result_code=\"401\"}"]);
        Assert.Equal(1, metrics["ccfs_requests_total{interface=\"uploadFile\",result_code=\"403\"}"]);
        Assert.Equal(1, metrics["ccfs_requests_total{interface=\"getFileHash\",result_code=\"0\"}"]);
        Assert.Equal(1, metrics["ccfs_requests_total{interface=\"downloadFile\",result_code=\"0\"}"]);
        Assert.Equal(1, metrics["ccfs_requests_total{interface=\"deleteFile\",result_code=\"0300011\"}"]);
        Assert.Equal(1, metrics["ccfs_auth_rejections_total{reason=\"VdnNotBound\"}"]);
        Assert.Equal(2, metrics["ccfs_auth_rejections_total{reason=\"SignatureMismatch\"}"]);
        Assert.Equal(1, metrics["ccfs_auth_rejections_total{reason=\"IpLocked\"}"]);
        Assert.Equal(wav.Length + Samples.Sine.Length, metrics["ccfs_bytes_stored_total"]);
        Assert.Equal(2, metrics["ccfs_upload_duration_seconds_count{outcome=\"stored\"}"]);
        Assert.Equal(5, metrics["ccfs_upload_duration_seconds_count{outcome=\"refused\"}"]);
        Assert.Equal(0, metrics["ccfs_uploads_in_flight"]);
        Assert.Equal(1, metrics["ccfs_ip_locks_total"]);
        Assert.Equal(1, metrics["ccfs_ip_locked_addresses"]);
        Assert.True(metrics["dotnet_gc_allocated_bytes_total"] > atStart["dotnet_gc_allocated_bytes_total"], "the traffic allocated nothing");
        Assert.Contains("process_working_set_bytes", metrics.Keys);
        Assert.Contains("dotnet_collection_count_total{generation=\"0\"}", metrics.Keys);
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task Free_space_of_each_disk_location_and_the_data_dir_is_a_gauge_that_matches_statvfs()
    {
        using var factory = CcfsFactory.With([]);

        var metrics = await ScrapeAsync(factory.CreateClient());

        var free = new DriveInfo(factory.LocationRoot("0")).AvailableFreeSpace;
        // Other processes write meanwhile: the gauge is statvfs's figure of the moment, give or take their writes.
        Assert.InRange(metrics["ccfs_location_free_bytes{location=\"0\"}"], free - (1L << 30), free + (1L << 30));
        Assert.InRange(metrics["ccfs_data_dir_free_bytes"], new DriveInfo(factory.DataDir).AvailableFreeSpace - (1L << 30), double.MaxValue);
    }

    [Fact]
    public void Creating_the_catalog_is_logged_with_its_version_and_an_up_to_date_one_says_nothing()
    {
        using var first = CcfsFactory.With([]);
        _ = first.Services;
        var created = Assert.Single(first.Logs, l => l.Message.Contains("migrated from version", StringComparison.Ordinal));
        Assert.Contains("migrated from version 0 to ", created.Message, StringComparison.Ordinal);

        using var again = CcfsFactory.RestartOf(first);
        _ = again.Services;
        Assert.DoesNotContain(again.Logs, l => l.Message.Contains("migrated from version", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Uploads_in_flight_counts_an_upload_while_it_is_held_and_drops_once_it_is_answered()
    {
        using var factory = new GatedStoreFactory();
        var holding = factory.Signed().UploadAsync(Samples.Sine);
        await factory.Store.WriteStarted.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, (await ScrapeAsync(factory))["ccfs_uploads_in_flight"]);

        factory.Store.Open();
        await CcfsAnswer.AssertTripleAsync(await holding, "0", "success");
        Assert.Equal(0, (await ScrapeAsync(factory))["ccfs_uploads_in_flight"]);
    }

    [Theory]
    [InlineData("/livez")]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_endpoints_answer_200(string path)
    {
        using var factory = new CcfsFactory();

        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_four_interfaces()
    {
        using var factory = new CcfsFactory();

        var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { CcfsPaths.UploadFile, CcfsPaths.UploadAlias, CcfsPaths.DeleteFile, CcfsPaths.GetFileHash, CcfsPaths.DownloadFile })
        {
            var post = paths.GetProperty(path).GetProperty("post");
            var json = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.True(json.TryGetProperty("$ref", out _) || json.TryGetProperty("properties", out _), path);
            Assert.True(post.GetProperty("responses").TryGetProperty("401", out _), path);
        }

        Assert.True(paths.GetProperty("/admin/api/accounts").GetProperty("post").TryGetProperty("requestBody", out _));
        Assert.True(paths.GetProperty("/admin/api/parameters").GetProperty("put").GetProperty("responses").TryGetProperty("400", out _));
        Assert.True(paths.TryGetProperty("/admin/api/audit", out _));
    }

    [Fact]
    public async Task The_openapi_document_describes_vdnId_and_the_auth_v2_scheme_every_signed_operation_requires()
    {
        using var factory = new CcfsFactory();

        var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("auth-v2");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("Authorization", scheme.GetProperty("name").GetString());
        Assert.Contains("auth-v2/{AK}/{timestamp}/{signedHeaders}/{signature}", scheme.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("docs/", scheme.GetProperty("description").GetString(), StringComparison.Ordinal);

        foreach (var path in new[] { CcfsPaths.UploadFile, CcfsPaths.UploadAlias })
        {
            var vdnId = Assert.Single(document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("parameters").EnumerateArray(),
                p => p.GetProperty("name").GetString() == "vdnId");
            Assert.Equal("query", vdnId.GetProperty("in").GetString());
            Assert.True(vdnId.GetProperty("required").GetBoolean());
            Assert.Equal("integer", vdnId.GetProperty("schema").GetProperty("type").GetString());
            Assert.Equal(1, vdnId.GetProperty("schema").GetProperty("minimum").GetInt32());
            Assert.Contains("upload folder", vdnId.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        var operations = document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()
            .Select(o => (Name: $"{o.Name} {p.Name}", Operation: o.Value))).ToList();
        Assert.Equal(5, operations.Count(o => o.Name.Contains(CcfsPaths.Base, StringComparison.Ordinal)));
        Assert.True(operations.Count(o => o.Name.Contains("/admin/api/", StringComparison.Ordinal)) > 10);
        foreach (var (name, operation) in operations)
        {
            var requirement = Assert.Single(operation.GetProperty("security").EnumerateArray());
            Assert.True(requirement.TryGetProperty("auth-v2", out _), name);
        }
    }

    [Fact]
    public async Task Scalar_serves_its_ui_without_any_outside_resource()
    {
        using var factory = new CcfsFactory();
        var http = factory.CreateClient();

        var page = await http.GetStringAsync("/scalar/");
        var scripts = ScriptSources().Matches(page).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(scripts);
        Assert.DoesNotContain("//", page, StringComparison.Ordinal);
        foreach (var script in scripts)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/scalar/" + script)).StatusCode);
        }
    }

    /// <summary>Every sample of the Prometheus text format, by name and labels.</summary>
    internal static Task<Dictionary<string, double>> ScrapeAsync(CcfsFactory factory) => ScrapeAsync(factory.CreateClient());

    /// <summary>Every sample of the Prometheus text format a server (in process or not) answers, by name and labels.</summary>
    internal static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("/metrics");
        return text.Split('\n').Where(l => l.Length > 0 && l[0] != '#')
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSources();
}
