using System.Net;
using System.Text.Json;
using Ccfs.Server.Observability;
using Ccfs.Server.Tests.Functional.Observability;

namespace Ccfs.Server.Tests.Functional.Faults;

/// <summary>The request journal: every request once answered, refused ones each, with its fault rule; filters and paging.</summary>
public sealed class JournalTests : IDisposable
{
    private readonly CcfsFactory _factory = CcfsFactory.With(new() { ["Ccfs:Faults:Enabled"] = "true", ["Ccfs:Journal:Size"] = "5" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Every_request_has_an_entry_refused_ones_each_with_its_fault_and_never_a_body()
    {
        var client = _factory.Signed();
        var wav = Samples.Read("valid", "alaw-8k-sine.wav");
        var stored = await client.StoreAsync(wav);
        using var badSignature = await _factory.Signed(CcfsFactory.AccessKey, "wrong").UploadAsync(wav);
        using var again = await _factory.Signed(CcfsFactory.AccessKey, "wrong").UploadAsync(wav);
        var fault = await FaultInjectionTests.AddAsync(_factory.Admin(), new { action = new { resultCode = "0300011" }, times = 1 });
        using var injected = await client.HashAsync(stored);

        var entries = await ReadAsync(_factory.Admin(), "");

        Assert.Equal(["uploadFile", "uploadFile", "uploadFile", "admin:addFault", "getFileHash"], entries.Select(e => e.GetProperty("interface").GetString()));
        Assert.Equal(stored, entries[0].GetProperty("fileName").GetString());
        Assert.Equal("0", entries[0].GetProperty("resultCode").GetString());
        Assert.Equal(53, entries[0].GetProperty("vdnId").GetInt32());
        Assert.True(entries[0].GetProperty("requestBytes").GetInt64() > wav.Length);
        Assert.All(entries[1..3], e =>
        {
            Assert.Equal(401, e.GetProperty("httpStatus").GetInt32());
            Assert.StartsWith("SignatureMismatch: the signature does not match", e.GetProperty("reason").GetString(), StringComparison.Ordinal);
        });
        Assert.Equal(fault, entries[4].GetProperty("fault").GetString());
        Assert.Equal("0300011", entries[4].GetProperty("resultCode").GetString());
        Assert.Equal(53, entries[4].GetProperty("vdnId").GetInt32());
        Assert.DoesNotContain(Convert.ToBase64String(wav)[..40], entries.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_journal_keeps_its_size_reads_on_after_an_id_and_filters_by_access_key_and_vdn()
    {
        var wav = Samples.Read("valid", "alaw-8k-sine.wav");
        for (var i = 0; i < 4; i++)
        {
            await _factory.Signed().StoreAsync(wav, i % 2 == 0 ? 53 : 55);
        }

        using var other = await _factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey).UploadAsync(wav, CcfsFactory.OtherVdn);
        using var lastOne = await _factory.Signed().UploadAsync(wav, 53);

        var all = await ReadAsync(_factory.Admin(), "");
        var after = await ReadAsync(_factory.Admin(), $"?after={all[2].GetProperty("id").GetInt64()}");
        var of55 = await ReadAsync(_factory.Admin(), "?vdnId=55");
        var ofOther = await ReadAsync(_factory.Admin(), $"?accessKey={CcfsFactory.OtherAccessKey}");

        Assert.Equal(5, all.Count);
        Assert.Equal([2L, 3, 4, 5, 6], all.Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal([5L, 6], after.Select(e => e.GetProperty("id").GetInt64()));
        Assert.All(of55, e => Assert.Equal(55, e.GetProperty("vdnId").GetInt32()));
        Assert.Equal(CcfsFactory.OtherVdn, Assert.Single(ofOther).GetProperty("vdnId").GetInt32());
        using var bad = await _factory.Admin().AdminAsync(HttpMethod.Get, "/admin/api/journal?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task An_id_past_the_newest_reads_nothing_and_resumes_at_the_newest()
    {
        var wav = Samples.Read("valid", "alaw-8k-sine.wav");
        await _factory.Signed().StoreAsync(wav);

        using var past = await _factory.Admin().AdminAsync(HttpMethod.Get, $"/admin/api/journal?after={long.MaxValue}");
        var answer = JsonDocument.Parse(await past.Content.ReadAsStringAsync()).RootElement;
        await _factory.Signed().StoreAsync(wav);
        var next = await ReadAsync(_factory.Admin(), $"?after={answer.GetProperty("next").GetInt64()}");

        Assert.Equal(HttpStatusCode.OK, past.StatusCode);
        Assert.Empty(answer.GetProperty("entries").EnumerateArray());
        Assert.Equal(1, answer.GetProperty("next").GetInt64());
        Assert.Equal([2L], next.Select(e => e.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task A_download_its_client_gave_up_on_is_journalled_as_499_never_as_a_500()
    {
        var name = await _factory.Signed().StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"));
        // The client gives up during the delay; the download then meets its aborted request.
        await FaultInjectionTests.AddAsync(_factory.Admin(), new { match = new { @interface = "downloadFile" }, action = new { delayMs = 10_000 }, times = 1 });
        var client = _factory.Signed();
        using var request = client.Build(Ccfs.Protocol.CcfsPaths.DownloadFile,
            SignedClient.Envelope(SignedClient.MsgBody(("filePath", name))), new SignOptions());
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Http.SendAsync(request, giveUp.Token));

        JsonElement entry = default;
        for (var attempt = 0; attempt < 100 && entry.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            await Task.Delay(50);
            entry = (await ReadAsync(_factory.Admin(), "")).LastOrDefault(e => e.GetProperty("interface").GetString() == "downloadFile");
        }

        Assert.Equal(InterfaceCallMiddleware.ClientClosedRequest, entry.GetProperty("httpStatus").GetInt32());
        var metrics = await _factory.CreateClient().GetStringAsync("/metrics");
        Assert.DoesNotContain("result_code=\"500\"", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uploadFile")]
    [InlineData("getFileHash")]
    public async Task A_call_its_client_gave_up_on_during_a_delay_is_journalled_as_499_not_as_the_answer_it_never_got(string name)
    {
        var wav = Samples.Read("valid", "alaw-8k-sine.wav");
        var stored = await _factory.Signed().StoreAsync(wav);
        await FaultInjectionTests.AddAsync(_factory.Admin(), new { match = new { @interface = name }, action = new { delayMs = 3_000 }, times = 1 });
        var client = _factory.Signed();
        using var request = name == "uploadFile"
            ? client.Build($"{Ccfs.Protocol.CcfsPaths.UploadFile}?vdnId={CcfsFactory.Vdn}", SignedClient.UploadBody(wav), new SignOptions())
            : client.Build(Ccfs.Protocol.CcfsPaths.GetFileHash, SignedClient.Envelope(SignedClient.MsgBody(("fileName", stored))), new SignOptions());
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Http.SendAsync(request, giveUp.Token));

        JsonElement entry = default;
        for (var attempt = 0; attempt < 200 && entry.ValueKind == JsonValueKind.Undefined; attempt++)
        {
            await Task.Delay(50);
            entry = (await ReadAsync(_factory.Admin(), $"?vdnId={CcfsFactory.Vdn}")).Skip(1)
                .LastOrDefault(e => e.GetProperty("interface").GetString() == name);
        }

        Assert.Equal(InterfaceCallMiddleware.ClientClosedRequest, entry.GetProperty("httpStatus").GetInt32());
        // The metric counts what the server did (the upload was stored, the hash read), by its resultCode; the journal
        // says what the client got. Counted as the request ends, after the entry is written.
        var key = $"ccfs_requests_total{{interface=\"{name}\",result_code=\"0\"}}";
        var expected = name == "uploadFile" ? 2 : 1;
        var metrics = await ObservabilityTests.ScrapeAsync(_factory);
        for (var attempt = 0; attempt < 100 && metrics.GetValueOrDefault(key) < expected; attempt++)
        {
            await Task.Delay(50);
            metrics = await ObservabilityTests.ScrapeAsync(_factory);
        }

        Assert.Equal(expected, metrics[key]);
        Assert.DoesNotContain(metrics.Keys, k => k.StartsWith($"ccfs_requests_total{{interface=\"{name}\"", StringComparison.Ordinal) && k != key);
    }

    [Fact]
    public async Task A_call_answered_with_no_body_has_one_entry()
    {
        using (var created = await _factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/accounts", new { vdnIds = new[] { 77 }, accessKey = "journal-ak" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var deleted = await _factory.Admin().SendAsync(HttpMethod.Delete, "/admin/api/accounts/journal-ak");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var entries = await ReadAsync(_factory.Admin(), "");
        Assert.Single(entries, e => e.GetProperty("interface").GetString() == "admin:deleteAccount");
    }

    private static async Task<List<JsonElement>> ReadAsync(SignedClient admin, string query)
    {
        using var response = await admin.AdminAsync(HttpMethod.Get, "/admin/api/journal" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("entries").EnumerateArray().Select(e => e.Clone())];
    }
}
