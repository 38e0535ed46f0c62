using System.Net;
using System.Text.Json;
using Ccfs.Server.Catalog;
using Ccfs.Server.Tests.Functional.Observability;

namespace Ccfs.Server.Tests.Functional.Quotas;

/// <summary>
/// Per-VDN quotas (docs/quotas-and-retention.md): enforced exactly in the transaction that reserves the name, refused with
/// 0300003 and a reason, nothing stored; usage freed by deletes and by failed uploads; visible in the admin API, the
/// metrics, the log and the events.
/// </summary>
public sealed class QuotaTests
{
    /// <summary>Another VDN the test account may use.</summary>
    private const int OtherVdn = 55;

    private static readonly int SineBytes = Samples.Sine.Length;

    [Fact]
    public async Task Sixty_four_concurrent_uploads_with_room_for_ten_store_exactly_ten()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:QuotaFiles"] = "12" });
        var client = factory.Signed();
        await client.StoreAsync(Samples.Sine);
        await client.StoreAsync(Samples.Sine);

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            using var answer = await client.UploadAsync(Samples.Sine);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("resultCode").GetString();
        }));

        Assert.Equal(10, answers.Count(c => c == "0"));
        Assert.Equal(54, answers.Count(c => c == "0300003"));
        Assert.Equal(12, factory.CatalogRows().Count);
        Assert.Equal(12, factory.Snapshot().Files.Count(f => f.EndsWith(".wav", StringComparison.Ordinal)));
        var usage = await UsageAsync(factory, CcfsFactory.Vdn);
        Assert.Equal(12, usage.GetProperty("usedFiles").GetInt64());
        Assert.Equal(12L * SineBytes, usage.GetProperty("usedBytes").GetInt64());
    }

    [Fact]
    public async Task A_bytes_quota_fills_to_the_byte_refuses_the_next_file_and_a_delete_frees_its_share_at_once()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:QuotaMb"] = QuotaMbOf(3L * SineBytes) });
        var client = factory.Signed();
        var first = await client.StoreAsync(Samples.Sine);
        await client.StoreAsync(Samples.Sine);
        await client.StoreAsync(Samples.Sine);
        var before = factory.Snapshot();

        var refused = await factory.AssertRefusedAsync(c => c.UploadAsync(Samples.Sine), "0300003", "The length of data is too long.");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var reason = refused.Headers.GetValues("X-Ccfs-Reason").Single();
        Assert.Equal($"quota full: VDN 53 holds {3 * SineBytes} of its {3 * SineBytes} bytes (quotaMb) and the file needs {SineBytes}; "
            + "nothing was stored", reason);
        Assert.Equal(before, factory.Snapshot());
        Assert.Single(factory.Logs, l => l.Level == LogLevel.Warning && l.Message == $"Upload to VDN 53 refused: {reason}");
        var metrics = await ObservabilityTests.ScrapeAsync(factory);
        Assert.Equal(1, metrics["ccfs_quota_refusals_total{vdn=\"53\",limit=\"bytes\"}"]);
        Assert.Equal(3 * SineBytes, metrics["ccfs_vdn_used_bytes{vdn=\"53\"}"]);
        Assert.Equal(3 * SineBytes, metrics["ccfs_vdn_quota_bytes{vdn=\"53\"}"]);
        Assert.Equal(3, metrics["ccfs_vdn_used_files{vdn=\"53\"}"]);
        Assert.DoesNotContain("ccfs_vdn_quota_files{vdn=\"53\"}", metrics.Keys);

        using var deleted = await client.DeleteAsync(first);
        await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        Assert.Equal(2 * SineBytes, (await UsageAsync(factory, CcfsFactory.Vdn)).GetProperty("usedBytes").GetInt64());
        await client.StoreAsync(Samples.Sine);
        Assert.Equal(100, (await UsageAsync(factory, CcfsFactory.Vdn)).GetProperty("percentUsed").GetDouble());
    }

    [Fact]
    public async Task A_quota_is_per_vdn_and_another_vdn_is_not_limited_by_it()
    {
        using var factory = CcfsFactory.With([]);
        await SetVdnAsync(factory, CcfsFactory.Vdn, new { quotaFiles = 1 });
        var client = factory.Signed();
        await client.StoreAsync(Samples.Sine);

        await factory.AssertRefusedAsync(c => c.UploadAsync(Samples.Sine), "0300003", "The length of data is too long.");
        await client.StoreAsync(Samples.Sine, OtherVdn);
        await client.StoreAsync(Samples.Sine, OtherVdn);

        var vdns = await VdnsAsync(factory);
        Assert.Equal(1, vdns[CcfsFactory.Vdn].GetProperty("quota").GetProperty("quotaFiles").GetInt64());
        Assert.Equal(2, vdns[OtherVdn].GetProperty("quota").GetProperty("usedFiles").GetInt64());
        Assert.False(vdns[OtherVdn].GetProperty("quota").TryGetProperty("quotaFiles", out _));
        Assert.False(vdns[OtherVdn].GetProperty("quota").TryGetProperty("percentUsed", out _));
    }

    [Fact]
    public async Task The_admin_upload_is_refused_with_409_worded_for_a_person_and_stores_nothing()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:QuotaFiles"] = "0" });
        var before = factory.Snapshot();

        using var answer = await factory.Admin().SendAsync(HttpMethod.Post, $"/admin/api/vdns/{CcfsFactory.Vdn}/files", Samples.Sine,
            new SignOptions { ContentType = "audio/wav" });

        Assert.Equal(HttpStatusCode.Conflict, answer.StatusCode);
        var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Equal("VDN 53 is full: it holds 0 files, its quota. Delete files or raise quotaFiles; nothing was stored", error);
        Assert.StartsWith("quota full: VDN 53 holds 0 of its 0 files", answer.Headers.GetValues("X-Ccfs-Reason").Single(), StringComparison.Ordinal);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_failed_upload_releases_its_reservation()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:QuotaFiles"] = "1" });
        factory.CreateClient();
        factory.BreakLocation();

        using var failed = await factory.Signed().UploadAsync(Samples.Sine);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Empty(factory.CatalogRows());
        var metrics = await ObservabilityTests.ScrapeAsync(factory);
        Assert.Equal(0, metrics["ccfs_vdn_used_files{vdn=\"53\"}"]);
        Assert.Equal(0, metrics["ccfs_vdn_used_bytes{vdn=\"53\"}"]);
    }

    [Fact]
    public async Task Crossing_80_and_95_percent_warns_once_each_in_the_log_and_as_events()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:QuotaFiles"] = "20" });
        var client = factory.Signed();
        for (var i = 0; i < 19; i++)
        {
            await client.StoreAsync(Samples.Sine);
        }

        var warnings = factory.Logs.Where(l => l.Message.Contains("of its quota", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.Equal([$"VDN 53 crossed 80% of its quota: 16 of 20 files, {16 * SineBytes} bytes (no bytes quota)",
            $"VDN 53 crossed 95% of its quota: 19 of 20 files, {19 * SineBytes} bytes (no bytes quota)"], warnings);
        using var feed = await factory.Admin().SendAsync(HttpMethod.Get, $"/admin/api/events?vdnId={CcfsFactory.Vdn}&after=0&limit=100");
        var events = JsonDocument.Parse(await feed.Content.ReadAsStringAsync()).RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == EventTypes.QuotaWarning).ToList();
        Assert.Equal([80, 95], events.Select(e => e.GetProperty("data").GetProperty("percent").GetInt32()));
        Assert.Equal(16, events[0].GetProperty("data").GetProperty("files").GetInt64());
        Assert.Equal(20, events[0].GetProperty("data").GetProperty("quotaFiles").GetInt64());
        Assert.False(events[0].TryGetProperty("subject", out _));
        Assert.Equal("/ccfs/vdns/53", events[0].GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_level_warns_again_once_usage_fell_below_it_by_deletes_or_a_raised_quota()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:QuotaFiles"] = "20" });
        var client = factory.Signed();
        var stored = new List<string>();
        for (var i = 0; i < 19; i++)
        {
            stored.Add(await client.StoreAsync(Samples.Sine));
        }

        // 95 % (19 of 20) down to 75 % by deletes: both levels re-arm, and the next crossing of 80 % warns.
        foreach (var fileName in stored.Take(4))
        {
            using var deleted = await client.DeleteAsync(fileName);
            await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        }

        await client.StoreAsync(Samples.Sine);
        // 80 % (16 of 20), then the quota raised to 30 (53 %): 80 % warns again at 24 of 30.
        await SetVdnAsync(factory, CcfsFactory.Vdn, new { quotaFiles = 30 });
        for (var i = 0; i < 8; i++)
        {
            await client.StoreAsync(Samples.Sine);
        }

        Assert.Equal([80, 95, 80, 80], await WarningPercentsAsync(factory));
        var warnings = factory.Logs.Where(l => l.Message.Contains("of its quota", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.Equal($"VDN 53 crossed 80% of its quota: 24 of 30 files, {24 * SineBytes} bytes (no bytes quota)", warnings[^1]);
    }

    [Fact]
    public async Task Usage_hovering_above_a_level_warns_once()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:QuotaFiles"] = "10" });
        var client = factory.Signed();
        for (var i = 0; i < 8; i++)
        {
            await client.StoreAsync(Samples.Sine);
        }

        // 80 % warned; 9 of 10 then back to 8 of 10 never falls below 80 %, so nothing re-arms.
        for (var i = 0; i < 3; i++)
        {
            var extra = await client.StoreAsync(Samples.Sine);
            using var deleted = await client.DeleteAsync(extra);
            await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        }

        Assert.Equal([80], await WarningPercentsAsync(factory));
    }

    private static async Task<List<int>> WarningPercentsAsync(CcfsFactory factory)
    {
        using var feed = await factory.Admin().SendAsync(HttpMethod.Get, $"/admin/api/events?vdnId={CcfsFactory.Vdn}&after=0&limit=1000");
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        return [.. JsonDocument.Parse(await feed.Content.ReadAsStringAsync()).RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == EventTypes.QuotaWarning).Select(e => e.GetProperty("data").GetProperty("percent").GetInt32())];
    }

    [Theory]
    [InlineData("""{"quotaMb": -1}""", "quotaMb is -1; it must be between 0 and")]
    [InlineData("""{"quotaFiles": -5}""", "quotaFiles is -5; it must be 0 or more")]
    [InlineData("""{"retainFor": "-1.00:00:00"}""", "retainFor is -1.00:00:00; it must be above 0")]
    public async Task Invalid_quota_and_retention_values_are_refused_with_400_and_change_nothing(string json, string problem)
    {
        using var factory = CcfsFactory.With([]);

        using var response = await factory.Admin().SendAsync(HttpMethod.Put, $"/admin/api/parameters/vdns/{CcfsFactory.Vdn}",
            System.Text.Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, factory.CatalogCount("parameter_overrides"));
    }

    /// <summary>The quotaMb value, as configuration text, whose bytes are exactly <paramref name="bytes"/>.</summary>
    internal static string QuotaMbOf(long bytes) => ((decimal)bytes / (1024 * 1024)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task SetVdnAsync(CcfsFactory factory, int vdn, object overrides)
    {
        using var response = await factory.Admin().AdminAsync(HttpMethod.Put, $"/admin/api/parameters/vdns/{vdn}", overrides);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    internal static async Task<Dictionary<int, JsonElement>> VdnsAsync(CcfsFactory factory)
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/vdns");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("vdns").EnumerateArray()
            .ToDictionary(v => v.GetProperty("vdnId").GetInt32(), v => v.Clone());
    }

    internal static async Task<JsonElement> UsageAsync(CcfsFactory factory, int vdn) => (await VdnsAsync(factory))[vdn].GetProperty("quota");
}
