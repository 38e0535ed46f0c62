using System.Net;
using System.Text.Json;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>Every CC-FS call and every admin change lands in the audit trail, readable in pages and purged when old.</summary>
public sealed class AuditTests : IDisposable
{
    private const string Audit = "/admin/api/audit";
    private readonly CcfsFactory _factory = CcfsFactory.With(new() { ["Ccfs:Admin:AuditRetention"] = "1.00:00:00" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Each_interface_call_is_recorded_with_who_what_where_and_the_answer()
    {
        var client = _factory.Signed();
        var name = await client.StoreAsync(Samples.Sine);
        await CcfsAnswer.AssertTripleAsync(await client.HashAsync(name), "0", "success");
        using (var download = await client.DownloadAsync(name))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Read("invalid", "pcm16-8k.wav")), "0300004",
            "The format of data is incorrect.");
        using (var refused = await _factory.Signed(CcfsFactory.AccessKey, "wrong").UploadAsync(Samples.Sine))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(name), "0", "success");

        var entries = await WaitForEntriesAsync(6);
        Assert.Equal(["deleteFile", "uploadFile", "uploadFile", "downloadFile", "getFileHash", "uploadFile"],
            entries.Select(e => e.GetProperty("interface").GetString()));
        Assert.Equal(["0", "401", "0300004", "0", "0", "0"], entries.Select(e => e.GetProperty("resultCode").GetString()));
        Assert.All(entries, e => Assert.Equal(CcfsFactory.AccessKey, e.GetProperty("accessKey").GetString()));
        Assert.All(entries, e => Assert.Equal("127.0.0.1", e.GetProperty("clientIp").GetString()));
        Assert.Equal(name, entries[0].GetProperty("file").GetString());
        Assert.Equal(name, entries[^1].GetProperty("file").GetString());
        Assert.Equal(CcfsFactory.Vdn, entries[^1].GetProperty("vdnId").GetInt32());
    }

    [Fact]
    public async Task Admin_changes_are_recorded_and_admin_reads_are_not()
    {
        var admin = _factory.Admin();
        using (var changed = await admin.AdminAsync(HttpMethod.Put, "/admin/api/parameters/vdns/55", new { uploadSizeLimitMb = 2 }))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        using var created = await admin.AdminAsync(HttpMethod.Post, "/admin/api/accounts", new { accessKey = "audited", vdnIds = new[] { 9 } });
        var secret = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secretKey").GetString()!;
        await admin.SendAsync(HttpMethod.Get, "/admin/api/parameters");
        await admin.SendAsync(HttpMethod.Get, "/admin/api/accounts");

        var entries = await WaitForEntriesAsync(2);
        Assert.Equal(["admin:createAccount", "admin:setVdnParameters"], entries.Select(e => e.GetProperty("interface").GetString()));
        Assert.Equal(["201", "200"], entries.Select(e => e.GetProperty("resultCode").GetString()));
        Assert.Equal("account:audited", entries[0].GetProperty("file").GetString());
        Assert.Equal(55, entries[1].GetProperty("vdnId").GetInt32());
        Assert.Equal("""parameters:vdn:55 {"uploadSizeLimitMb":2}""", entries[1].GetProperty("file").GetString());
        Assert.All(entries, e => Assert.Equal(CcfsFactory.AdminAccessKey, e.GetProperty("accessKey").GetString()));
        Assert.DoesNotContain(secret, await AuditTextAsync(""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Playing_or_drawing_a_stored_prompt_is_recorded_like_a_download()
    {
        var name = await _factory.Signed().StoreAsync(Samples.Sine);
        var admin = _factory.Admin();
        using (var audio = await admin.SendAsync(HttpMethod.Get, "/admin/api/files/audio?fileName=" + Uri.EscapeDataString(name)))
        {
            Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        }

        using (var peaks = await admin.SendAsync(HttpMethod.Get, "/admin/api/files/peaks?fileName=" + Uri.EscapeDataString(name)))
        {
            Assert.Equal(HttpStatusCode.OK, peaks.StatusCode);
        }

        using (var list = await admin.SendAsync(HttpMethod.Get, "/admin/api/vdns/53/files"))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }

        var entries = await WaitForEntriesAsync(3);
        Assert.Equal(["admin:fileWaveform", "admin:playFile", "uploadFile"], entries.Select(e => e.GetProperty("interface").GetString()));
        foreach (var read in entries.Take(2))
        {
            Assert.Equal(CcfsFactory.AdminAccessKey, read.GetProperty("accessKey").GetString());
            Assert.Equal(name, read.GetProperty("file").GetString());
            Assert.Equal(CcfsFactory.Vdn, read.GetProperty("vdnId").GetInt32());
            Assert.Equal("200", read.GetProperty("resultCode").GetString());
        }
    }

    [Fact]
    public async Task Every_refused_admin_request_is_recorded_even_a_read()
    {
        using (var unsigned = await _factory.CreateClient().GetAsync("/admin/api/parameters"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        }

        using (var user = await _factory.Signed().SendAsync(HttpMethod.Get, "/admin/api/accounts"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        }

        using (var wrongSecret = await _factory.Signed(CcfsFactory.AdminAccessKey, "not-the-secret")
            .AdminAsync(HttpMethod.Post, "/admin/api/accounts", new { vdnIds = new[] { 9 } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        }

        var entries = await WaitForEntriesAsync(3);
        Assert.Equal(["admin:createAccount", "admin:listAccounts", "admin:getParameters"], entries.Select(e => e.GetProperty("interface").GetString()));
        Assert.All(entries, e => Assert.Equal("401", e.GetProperty("resultCode").GetString()));
        Assert.Equal([CcfsFactory.AdminAccessKey, CcfsFactory.AccessKey, null], entries.Select(e => e.TryGetProperty("accessKey", out var ak) ? ak.GetString() : null));
        Assert.All(entries, e => Assert.Equal("127.0.0.1", e.GetProperty("clientIp").GetString()));
    }

    [Fact]
    public async Task Pages_chain_through_every_entry_once_and_filters_narrow_them()
    {
        var client = _factory.Signed();
        var names = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            names.Add(await client.StoreAsync(Samples.Sine, i % 2 == 0 ? CcfsFactory.Vdn : 55));
        }

        await WaitForEntriesAsync(5);
        var seen = new List<string>();
        string? before = null;
        for (var page = 0; page < 10; page++)
        {
            var json = JsonDocument.Parse(await AuditTextAsync($"?limit=2{(before is null ? "" : "&before=" + before)}")).RootElement;
            seen.AddRange(json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("file").GetString()!));
            if (!json.TryGetProperty("next", out var next))
            {
                break;
            }

            before = next.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(Enumerable.Reverse(names), seen);
        var vdn55 = JsonDocument.Parse(await AuditTextAsync("?vdnId=55")).RootElement.GetProperty("entries");
        Assert.Equal([names[3], names[1]], vdn55.EnumerateArray().Select(e => e.GetProperty("file").GetString()));
        var byFile = JsonDocument.Parse(await AuditTextAsync("?interface=uploadFile&file=" + Uri.EscapeDataString(names[2]))).RootElement;
        Assert.Single(byFile.GetProperty("entries").EnumerateArray());
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=1001")]
    [InlineData("?limit=ten")]
    [InlineData("?before=-1")]
    [InlineData("?before=9223372036854775808")]
    [InlineData("?vdnId=x")]
    public async Task A_malformed_query_is_400(string query)
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Get, Audit + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"problems\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?after=5", "after")]
    [InlineData("?limit=5&vdn=53", "vdn")]
    public async Task An_unknown_parameter_is_400_naming_it_and_the_known_ones_not_ignored(string query, string unknown)
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Get, Audit + query);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"'{unknown}' is not a parameter here; the parameters are limit, before, accessKey, vdnId, interface, file", text,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Before_takes_any_64_bit_entry_id()
    {
        var name = await _factory.Signed().StoreAsync(Samples.Sine);
        await WaitForEntriesAsync(1);

        var page = JsonDocument.Parse(await AuditTextAsync("?before=" + long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal([name], page.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("file").GetString()));
        Assert.Empty(JsonDocument.Parse(await AuditTextAsync("?before=1")).RootElement.GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public async Task Entries_older_than_the_retention_are_purged_and_newer_ones_kept()
    {
        var old = await _factory.Signed().StoreAsync(Samples.Sine);
        await WaitForEntriesAsync(1);
        _factory.Time.Advance(TimeSpan.FromHours(23));
        var recent = await _factory.Signed().StoreAsync(Samples.Sine);
        await WaitForEntriesAsync(2);

        // The first entry is now 25 hours old, past the one-day retention; the second is 2 hours old.
        _factory.Time.Advance(TimeSpan.FromHours(2));

        for (var i = 0; i < 200 && (await EntriesAsync()).Any(e => e.GetProperty("file").GetString() == old); i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal([recent], (await EntriesAsync()).Select(e => e.GetProperty("file").GetString()));
    }

    private async Task<string> AuditTextAsync(string query)
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Get, Audit + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    private async Task<List<JsonElement>> EntriesAsync() =>
        [.. JsonDocument.Parse(await AuditTextAsync("")).RootElement.GetProperty("entries").EnumerateArray()];

    /// <summary>A call is recorded once its answer is sent, which a client can see first; so poll a bounded number of times.</summary>
    private async Task<List<JsonElement>> WaitForEntriesAsync(int count)
    {
        for (var i = 0; i < 200; i++)
        {
            var entries = await EntriesAsync();
            if (entries.Count >= count)
            {
                Assert.Equal(count, entries.Count);
                return entries;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"fewer than {count} audit entries appeared");
        return [];
    }
}
