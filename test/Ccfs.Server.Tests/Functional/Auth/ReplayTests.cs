using System.Net;
using System.Text.Json;

namespace Ccfs.Server.Tests.Functional.Auth;

/// <summary>
/// A signature accepted once is refused the second time: always on the admin API (a replayed "create an account" would
/// hand its secret to whoever replays it), on the CC-FS interfaces when <c>Ccfs:Auth:RejectReplays</c> is on. The
/// signatures are remembered in the catalog, so a restart forgets none.
/// </summary>
public sealed class ReplayTests : IDisposable
{
    private const string Accounts = "/admin/api/accounts";
    private readonly List<CcfsFactory> _servers = [];

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }
    }

    [Fact]
    public async Task A_replayed_account_creation_is_refused_and_creates_nothing()
    {
        var server = Start();
        var at = server.Time.GetUtcNow();
        var request = () => server.Admin().Build(Accounts, Json(new { vdnIds = new[] { 61 } }), new SignOptions { At = at }, HttpMethod.Post);

        using var first = await server.CreateClient().SendAsync(request());
        var before = await AccountCountAsync(server);
        using var replayed = await server.CreateClient().SendAsync(request());

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await AssertReplayRefusedAsync(replayed, Accounts);
        Assert.Equal(before, await AccountCountAsync(server));
    }

    [Fact]
    public async Task A_replay_whose_signature_is_written_in_upper_case_is_refused_too()
    {
        var server = Start();
        var at = server.Time.GetUtcNow();
        var body = Json(new { vdnIds = new[] { 64 } });
        using var first = await server.CreateClient().SendAsync(server.Admin().Build(Accounts, body, new SignOptions { At = at }, HttpMethod.Post));
        var before = await AccountCountAsync(server);

        // The verifier reads the hex signature in any case, so this copy verifies; it must still count as the same one.
        using var replayed = await server.CreateClient().SendAsync(server.Admin().Build(Accounts, body, new SignOptions
        {
            At = at,
            Authorization = a => a[..(a.LastIndexOf('/') + 1)] + a[(a.LastIndexOf('/') + 1)..].ToUpperInvariant(),
        }, HttpMethod.Post));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await AssertReplayRefusedAsync(replayed, Accounts);
        Assert.Equal(before, await AccountCountAsync(server));
    }

    [Fact]
    public async Task A_replayed_rotation_is_refused_and_the_second_secret_is_never_made()
    {
        var server = Start();
        using var created = await server.Admin().AdminAsync(HttpMethod.Post, Accounts, new { vdnIds = new[] { 62 } });
        var accessKey = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("account").GetProperty("accessKey").GetString();
        var path = $"{Accounts}/{accessKey}/rotate";
        var at = server.Time.GetUtcNow();
        var request = () => server.Admin().Build(path, null, new SignOptions { At = at, SignedHeaders = ["host"] }, HttpMethod.Post);

        using var first = await server.CreateClient().SendAsync(request());
        using var replayed = await server.CreateClient().SendAsync(request());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertReplayRefusedAsync(replayed, path);
        using var list = await server.Admin().SendAsync(HttpMethod.Get, Accounts);
        var account = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.EnumerateArray()
            .Single(a => a.GetProperty("accessKey").GetString() == accessKey);
        Assert.Equal(2, account.GetProperty("secrets").GetArrayLength());
    }

    [Fact]
    public async Task A_replay_after_a_restart_is_still_refused()
    {
        var server = Start();
        var at = server.Time.GetUtcNow();
        var body = Json(new { vdnIds = new[] { 63 } });
        using (var first = await server.CreateClient().SendAsync(server.Admin().Build(Accounts, body, new SignOptions { At = at }, HttpMethod.Post)))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        var restarted = CcfsFactory.RestartOf(server);
        _servers.Add(restarted);
        using var replayed = await restarted.CreateClient().SendAsync(restarted.Admin().Build(Accounts, body, new SignOptions { At = at }, HttpMethod.Post));

        await AssertReplayRefusedAsync(replayed, Accounts);
    }

    [Fact]
    public async Task With_RejectReplays_a_replayed_upload_is_refused_and_stores_nothing()
    {
        var server = Start(new() { ["Ccfs:Auth:RejectReplays"] = "true" });
        var options = new SignOptions { At = server.Time.GetUtcNow() };
        var client = server.Signed();
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine, options: options), "0", "success");
        var before = server.Snapshot();

        using var replayed = await client.UploadAsync(Samples.Sine, options: options);

        await AssertReplayRefusedAsync(replayed, Ccfs.Protocol.CcfsPaths.UploadFile);
        Assert.Equal(before, server.Snapshot());
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine), "0", "success");
    }

    [Fact]
    public async Task With_RejectReplays_a_signature_that_left_the_clock_window_is_refused_as_stale_and_forgotten()
    {
        var server = Start(new() { ["Ccfs:Auth:RejectReplays"] = "true" });
        var options = new SignOptions { At = server.Time.GetUtcNow() };
        await CcfsAnswer.AssertTripleAsync(await server.Signed().UploadAsync(Samples.Sine, options: options), "0", "success");

        server.Time.Advance(TimeSpan.FromMinutes(16));
        using var stale = await server.Signed().UploadAsync(Samples.Sine, options: options);
        await CcfsAnswer.AssertTripleAsync(await server.Signed().UploadAsync(Samples.Sine), "0", "success");

        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.DoesNotContain("accepted before", CcfsAnswer.Reason(stale) ?? "", StringComparison.Ordinal);
        Assert.Equal(1, server.CatalogCount("replay_cache"));
    }

    [Fact]
    public async Task Without_RejectReplays_a_CC_FS_retry_sent_verbatim_is_served_as_documented()
    {
        var server = Start();
        var options = new SignOptions { At = server.Time.GetUtcNow() };
        var first = await CcfsAnswer.AssertTripleAsync(await server.Signed().UploadAsync(Samples.Sine, options: options), "0", "success");

        var again = await CcfsAnswer.AssertTripleAsync(await server.Signed().UploadAsync(Samples.Sine, options: options), "0", "success");

        Assert.NotEqual(first.GetProperty("resultData").GetProperty("fileName").GetString(),
            again.GetProperty("resultData").GetProperty("fileName").GetString());
    }

    private CcfsFactory Start(Dictionary<string, string?>? settings = null)
    {
        var server = CcfsFactory.With(settings ?? []);
        _servers.Add(server);
        return server;
    }

    private static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value, new JsonSerializerOptions(JsonSerializerDefaults.Web));

    private static async Task AssertReplayRefusedAsync(HttpResponseMessage response, string path)
    {
        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, path);
        Assert.Contains("signature was accepted before", CcfsAnswer.Reason(response), StringComparison.Ordinal);
    }

    private static async Task<int> AccountCountAsync(CcfsFactory server)
    {
        using var list = await server.Admin().SendAsync(HttpMethod.Get, Accounts);
        return JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetArrayLength();
    }
}
