using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;
using Ccfs.Server.Tests.Functional.Observability;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>POST /admin/api/scrub: every copy checked against the catalog; repaired from a healthy copy only in pool mode.</summary>
public sealed class ScrubAdminTests : IDisposable
{
    private const string Scrub = "/admin/api/scrub";
    private readonly List<CcfsFactory> _factories = [];

    public void Dispose()
    {
        foreach (var factory in _factories)
        {
            factory.Dispose();
        }
    }

    [Fact]
    public async Task A_clean_store_has_no_problems()
    {
        var factory = Keep(new CcfsFactory());
        await factory.Signed().StoreAsync(Samples.Sine);
        await factory.Signed().StoreAsync(Samples.Read("valid", "alaw-8k-extensible.wav"));

        var report = await ScrubAsync(factory, "");

        Assert.False(report.GetProperty("repair").GetBoolean());
        Assert.Equal(2, report.GetProperty("filesChecked").GetInt64());
        Assert.Equal(2, report.GetProperty("copiesChecked").GetInt64());
        Assert.Equal(2, report.GetProperty("healthyCopies").GetInt64());
        Assert.Equal(0, report.GetProperty("problemCount").GetInt64());
        Assert.Equal(0, report.GetProperty("remaining").GetInt64());
        Assert.Empty(report.GetProperty("problems").EnumerateArray());
        Assert.True(report.GetProperty("finishedAt").GetDateTimeOffset() >= report.GetProperty("startedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task With_one_location_a_corrupt_copy_is_reported_and_cannot_be_repaired_so_its_bytes_stay()
    {
        var factory = Keep(new CcfsFactory());
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var corrupted = Corrupt(Samples.Sine);
        factory.PutStored(fileName[3..], corrupted);

        var found = await ScrubAsync(factory, "");
        var repair = await ScrubAsync(factory, "?repair=true");

        foreach (var report in new[] { found, repair })
        {
            var problem = Assert.Single(report.GetProperty("problems").EnumerateArray());
            Assert.Equal(fileName, problem.GetProperty("fileName").GetString());
            Assert.Equal("0", problem.GetProperty("locationId").GetString());
            Assert.Equal("corrupt", problem.GetProperty("kind").GetString());
            Assert.False(problem.GetProperty("repaired").GetBoolean());
            Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(corrupted)), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(0, report.GetProperty("healthyCopies").GetInt64());
            Assert.Equal(1, report.GetProperty("remaining").GetInt64());
        }

        Assert.True(repair.GetProperty("repair").GetBoolean());
        Assert.Contains("no location holds a healthy copy", repair.GetProperty("problems")[0].GetProperty("detail").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(corrupted, factory.ReadCopy(fileName));
    }

    [Fact]
    public async Task In_pool_mode_scrub_reports_a_corrupt_and_a_missing_copy_changes_nothing_and_with_repair_restores_both()
    {
        var factory = Keep(PoolFactory());
        var sine = Samples.Sine;
        var other = Samples.Read("valid", "alaw-8k-extensible.wav");
        var corruptFile = await factory.Signed().StoreAsync(sine);
        var missingFile = await factory.Signed().StoreAsync(other);
        factory.PutStored(corruptFile[3..], Corrupt(sine), "256");
        factory.DeleteStored(missingFile[3..], "0");
        var before = await StoredBytesAsync(factory);

        var found = await ScrubAsync(factory, "?repair=false");

        Assert.Equal(before, await StoredBytesAsync(factory));
        Assert.Equal(2, found.GetProperty("filesChecked").GetInt64());
        Assert.Equal(4, found.GetProperty("copiesChecked").GetInt64());
        Assert.Equal(2, found.GetProperty("healthyCopies").GetInt64());
        Assert.Equal(2, found.GetProperty("remaining").GetInt64());
        Assert.Equal(
            [(corruptFile, "256", "corrupt", false), (missingFile, "0", "missing", false)],
            Problems(found).OrderBy(p => p.Kind, StringComparer.Ordinal));

        var repaired = await ScrubAsync(factory, "?repair=true");

        Assert.Equal(
            [(corruptFile, "256", "corrupt", true), (missingFile, "0", "missing", true)],
            Problems(repaired).OrderBy(p => p.Kind, StringComparer.Ordinal));
        Assert.Equal(2, repaired.GetProperty("repaired").GetInt64());
        Assert.Equal(0, repaired.GetProperty("remaining").GetInt64());
        foreach (var location in new[] { "0", "256" })
        {
            Assert.Equal(SHA256.HashData(sine), SHA256.HashData(factory.ReadCopy(corruptFile, location)!));
            Assert.Equal(SHA256.HashData(other), SHA256.HashData(factory.ReadCopy(missingFile, location)!));
        }

        if (factory.BucketOf("256") is null)
        {
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(factory.LocationRoot("256"), ".ccfs-tmp")));
        }
        var after = await ScrubAsync(factory, "");
        Assert.Equal(0, after.GetProperty("problemCount").GetInt64());
        Assert.Equal(4, after.GetProperty("healthyCopies").GetInt64());
        var download = await factory.Signed().DownloadAsync(corruptFile);
        Assert.Equal(sine, await download.Content.ReadAsByteArrayAsync());

        // Each scrub that found them counted them: once without repair, once with.
        var metrics = await ObservabilityTests.ScrapeAsync(factory);
        Assert.Equal(2, metrics["ccfs_integrity_problems_total{location=\"256\",kind=\"corrupt\"}"]);
        Assert.Equal(2, metrics["ccfs_integrity_problems_total{location=\"0\",kind=\"missing\"}"]);
    }

    [Fact]
    public async Task A_copy_with_the_right_hash_prefix_but_extra_bytes_is_corrupt_by_its_size()
    {
        var factory = Keep(PoolFactory());
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        factory.PutStored(fileName[3..], [.. factory.ReadCopy(fileName, "0")!, .. "tail"u8], "0");

        var report = await ScrubAsync(factory, "?repair=true");

        var problem = Assert.Single(report.GetProperty("problems").EnumerateArray());
        Assert.Equal("corrupt", problem.GetProperty("kind").GetString());
        Assert.Contains($"{Samples.Sine.Length + 4} bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("repaired").GetBoolean());
        Assert.Equal(Samples.Sine, factory.ReadCopy(fileName, "0"));
    }

    [Theory]
    [InlineData("?repair=yes", "repair must be true or false")]
    [InlineData("?repair=true&repair=false", "the query parameter 'repair' is given more than once")]
    public async Task A_repair_flag_that_is_not_true_or_false_is_refused_and_nothing_is_repaired(string query, string error)
    {
        var factory = Keep(PoolFactory());
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        factory.DeleteStored(fileName[3..], "256");

        using var response = await factory.Admin().SendAsync(HttpMethod.Post, Scrub + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(error, System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error")
            .GetString(), StringComparison.Ordinal);
        Assert.False(factory.HasCopy(fileName, "256"));
    }

    [Fact]
    public async Task A_second_scrub_while_one_runs_is_refused_with_409()
    {
        var factory = Keep(new GatedReadFactory());
        await factory.Signed().StoreAsync(Samples.Sine);
        factory.Gate.Close();

        var first = factory.Admin().SendAsync(HttpMethod.Post, Scrub);
        await factory.Gate.Reached;
        using var second = await factory.Admin().SendAsync(HttpMethod.Post, Scrub);
        factory.Gate.Open();
        using var firstResponse = await first;

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("a scrub is already running", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        using var third = await factory.Admin().SendAsync(HttpMethod.Post, Scrub);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }

    internal static CcfsFactory PoolFactory() =>
        CcfsFactory.With(new() { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:1:Id"] = "256" });

    internal static byte[] Corrupt(byte[] original)
    {
        var corrupted = (byte[])original.Clone();
        corrupted[100] ^= 0x55;
        return corrupted;
    }

    private T Keep<T>(T factory)
        where T : CcfsFactory
    {
        _factories.Add(factory);
        return factory;
    }

    private static async Task<JsonElement> ScrubAsync(CcfsFactory factory, string query)
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Post, Scrub + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static IEnumerable<(string FileName, string Location, string Kind, bool Repaired)> Problems(JsonElement report) =>
        report.GetProperty("problems").EnumerateArray().Select(p => (p.GetProperty("fileName").GetString()!,
            p.GetProperty("locationId").GetString()!, p.GetProperty("kind").GetString()!, p.GetProperty("repaired").GetBoolean()));

    /// <summary>Every stored file with the SHA-256 of its bytes, to prove a scrub without repair wrote nothing.</summary>
    private static async Task<string> StoredBytesAsync(CcfsFactory factory)
    {
        var lines = new List<string>();
        foreach (var entry in factory.Snapshot().Files)
        {
            lines.Add(entry.EndsWith('/')
                ? entry
                : entry + " " + Convert.ToHexStringLower(SHA256.HashData(factory.ReadStored(entry.Split('/', 3)[2], entry.Split('/', 3)[1])!)));
        }

        return string.Join('\n', lines) + "\n" + string.Join('\n', factory.CatalogRows());
    }

    /// <summary>One location whose reads wait while the test holds the gate closed, so a scrub can be caught running.</summary>
    private sealed class GatedReadFactory : CcfsFactory
    {
        public ReadGate Gate { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton(sp =>
                new LocationSet([new GatedReadStore(sp.GetRequiredService<LocationStores>().Stores[0], Gate)])));
        }
    }

    private sealed class ReadGate
    {
        private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _open = Opened();

        public Task Reached => _reached.Task;

        public void Close()
        {
            _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Open() => _open.TrySetResult();

        public Task PassAsync()
        {
            _reached.TrySetResult();
            return _open.Task;
        }

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource();
            open.SetResult();
            return open;
        }
    }

    private sealed class GatedReadStore(IFileStore inner, ReadGate gate) : DelegatingFileStore(inner)
    {
        public override async Task<Stream?> OpenReadAsync(StoragePath path, CancellationToken cancellationToken)
        {
            await gate.PassAsync();
            return await base.OpenReadAsync(path, cancellationToken);
        }
    }
}
