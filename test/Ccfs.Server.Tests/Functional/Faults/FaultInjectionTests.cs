using System.Net;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Faults;

/// <summary>
/// Fault rules in the in-process server: an injected answer stores nothing and is marked, rules match what they name
/// and act as often as they say, a seeded probability picks the same requests every run, and a server without fault
/// injection refuses rules.
/// </summary>
public sealed class FaultInjectionTests : IDisposable
{
    private readonly CcfsFactory _factory = CcfsFactory.With(new() { ["Ccfs:Faults:Enabled"] = "true" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task An_injected_failure_stores_nothing_carries_its_rule_and_acts_only_as_often_as_it_says()
    {
        var admin = _factory.Admin();
        var id = await AddAsync(admin, new { match = new { @interface = "uploadFile" }, action = new { resultCode = "0300503" }, times = 1 });
        var before = _factory.Snapshot();

        using var injected = await _factory.Signed().UploadAsync(Samples.Read("valid", "alaw-8k-sine.wav"));

        await CcfsAnswer.AssertTripleAsync(injected, "0300503", "The service is temporarily unavailable, try again later.",
            HttpStatusCode.ServiceUnavailable);
        Assert.Equal(id, Assert.Single(injected.Headers.GetValues("X-Ccfs-Fault")));
        Assert.StartsWith("injected by fault rule", CcfsAnswer.Reason(injected), StringComparison.Ordinal);
        Assert.Equal(before, _factory.Snapshot());
        Assert.Contains(_factory.Logs, l => l.Message.Contains($"Fault {id} (resultCode=0300503) injected into uploadFile", StringComparison.Ordinal));

        var stored = await _factory.Signed().StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"));
        Assert.True(_factory.HasCopy(stored));
        var metrics = await _factory.CreateClient().GetStringAsync("/metrics");
        Assert.Contains($"ccfs_faults_injected_total{{rule=\"{id}\",action=\"resultCode=0300503\"}} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rule_acts_only_on_the_interface_access_key_vdn_and_file_it_names()
    {
        var client = _factory.Signed();
        var in53 = await client.StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"), 53);
        var in55 = await client.StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"), 55);
        var name53 = in53[(in53.LastIndexOf('/') + 1)..];
        var id = await AddAsync(_factory.Admin(), new
        {
            match = new { @interface = "getFileHash", accessKey = CcfsFactory.AccessKey, vdnId = 53, fileName = name53[..4] + "*.wav" },
            action = new { resultCode = "0300009" },
        });

        using var matched = await client.HashAsync(in53);
        using var otherVdn = await client.HashAsync(in55);
        using var otherInterface = await client.DownloadAsync(in53);

        await CcfsAnswer.AssertTripleAsync(matched, "0300009", "Reached the query flow control threshold.");
        Assert.Equal(TimeSpan.FromSeconds(1), matched.Headers.RetryAfter?.Delta);
        Assert.Equal(id, matched.Headers.GetValues("X-Ccfs-Fault").Single());
        await CcfsAnswer.AssertTripleAsync(otherVdn, "0", "success");
        Assert.False(otherVdn.Headers.Contains("X-Ccfs-Fault"));
        Assert.Equal(HttpStatusCode.OK, otherInterface.StatusCode);
        Assert.False(otherInterface.Headers.Contains("X-Ccfs-Fault"));
    }

    [Fact]
    public async Task An_injected_http_status_is_the_spring_error_cc_fs_sends_and_the_file_stays()
    {
        var client = _factory.Signed();
        var stored = await client.StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"));
        await AddAsync(_factory.Admin(), new { match = new { @interface = "deleteFile" }, action = new { httpStatus = 403 }, times = 1 });
        var before = _factory.Snapshot();

        using var refused = await client.DeleteAsync(stored);

        await CcfsAnswer.AssertSpringAsync(refused, HttpStatusCode.Forbidden, CcfsPaths.DeleteFile);
        Assert.Equal(before, _factory.Snapshot());
        Assert.True(_factory.HasCopy(stored));
    }

    [Fact]
    public async Task A_rehearsed_gateway_502_answers_what_the_shipped_load_balancer_sends()
    {
        var shipped = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "deploy", "haproxy-502.http"));
        await AddAsync(_factory.Admin(), new { match = new { @interface = "uploadFile" }, action = new { resultCode = "0300503", httpStatus = 502 }, times = 1 });
        var before = _factory.Snapshot();

        using var injected = await _factory.Signed().UploadAsync(Samples.Read("valid", "alaw-8k-sine.wav"));

        await CcfsAnswer.AssertTripleAsync(injected, "0300503", "The service is temporarily unavailable, try again later.", HttpStatusCode.BadGateway);
        Assert.Equal("5", Assert.Single(injected.Headers.GetValues("Retry-After")));
        Assert.Contains("\nRetry-After: 5\n", shipped.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith(await injected.Content.ReadAsStringAsync(), shipped.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task A_delay_before_a_real_answer_stores_as_usual()
    {
        var id = await AddAsync(_factory.Admin(), new { match = new { @interface = "uploadFile" }, action = new { delayMs = 100 } });

        using var response = await _factory.Signed().UploadAsync(Samples.Read("valid", "alaw-8k-sine.wav"));

        var json = await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        Assert.Equal(id, response.Headers.GetValues("X-Ccfs-Fault").Single());
        Assert.True(_factory.HasCopy(json.GetProperty("resultData").GetProperty("fileName").GetString()!));
    }

    [Fact]
    public async Task A_delayed_answer_holds_no_upload_slot_so_another_tenant_uploads_meanwhile()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Faults:Enabled"] = "true", ["Ccfs:Limits:MaxConcurrentUploads"] = "1" });
        await AddAsync(factory.Admin(), new { match = new { @interface = "uploadFile", accessKey = CcfsFactory.OtherAccessKey }, action = new { delayMs = 5_000 } });
        var delayed = factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey).UploadAsync(Samples.Sine, CcfsFactory.OtherVdn);
        for (var i = 0; i < 100 && !factory.Logs.Any(l => l.Message.Contains("injected into uploadFile", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(20);
        }

        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        using var mine = await factory.Signed().UploadAsync(Samples.Sine);

        // The rule delays the other tenant's answer; it must not keep this tenant's upload waiting for the one slot.
        await CcfsAnswer.AssertTripleAsync(mine, "0", "success");
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(3), $"waited {elapsed.Elapsed} behind another tenant's delayed answer");
        Assert.False(delayed.IsCompleted);
        using var theirs = await delayed;
        await CcfsAnswer.AssertTripleAsync(theirs, "0", "success");
    }

    [Fact]
    public async Task A_rule_on_a_vdn_never_acts_on_a_tenant_not_bound_to_it()
    {
        var theirs = await _factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey).StoreAsync(Samples.Sine, CcfsFactory.OtherVdn);
        var admin = _factory.Admin();
        var hashRule = await AddAsync(admin, new { match = new { @interface = "getFileHash", vdnId = CcfsFactory.OtherVdn }, action = new { resultCode = "0300009" }, times = 1 });
        var uploadRule = await AddAsync(admin, new { match = new { @interface = "uploadFile", vdnId = CcfsFactory.OtherVdn }, action = new { resultCode = "0300503" }, times = 1 });

        // Another tenant naming that VDN is refused as ever, and takes nothing of the rules meant for its owner.
        using var strangerHash = await _factory.Signed().HashAsync(theirs);
        using var strangerUpload = await _factory.Signed().UploadAsync(Samples.Sine, CcfsFactory.OtherVdn);
        await CcfsAnswer.AssertSpringAsync(strangerHash, HttpStatusCode.Unauthorized, CcfsPaths.GetFileHash);
        await CcfsAnswer.AssertSpringAsync(strangerUpload, HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        Assert.False(strangerHash.Headers.Contains("X-Ccfs-Fault"));
        Assert.False(strangerUpload.Headers.Contains("X-Ccfs-Fault"));

        var owner = _factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey);
        using var ownerHash = await owner.HashAsync(theirs);
        using var ownerUpload = await owner.UploadAsync(Samples.Sine, CcfsFactory.OtherVdn);
        await CcfsAnswer.AssertTripleAsync(ownerHash, "0300009", "Reached the query flow control threshold.");
        Assert.Equal(hashRule, ownerHash.Headers.GetValues("X-Ccfs-Fault").Single());
        Assert.Equal(uploadRule, ownerUpload.Headers.GetValues("X-Ccfs-Fault").Single());
    }

    [Fact]
    public async Task A_seeded_probability_picks_the_same_requests_every_run()
    {
        var client = _factory.Signed();
        var stored = await client.StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"));
        await AddAsync(_factory.Admin(), new
        {
            match = new { @interface = "getFileHash" },
            action = new { resultCode = "0300009" },
            probability = 0.5,
            seed = 7
        });
        var draws = new Random(7);
        var expected = Enumerable.Range(0, 20).Select(_ => draws.NextDouble() < 0.5).ToList();

        var injected = new List<bool>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.HashAsync(stored);
            injected.Add(response.Headers.Contains("X-Ccfs-Fault"));
        }

        Assert.Equal(expected, injected);
        Assert.Contains(true, injected);
        Assert.Contains(false, injected);
    }

    [Fact]
    public async Task Rules_are_listed_removed_and_cleared()
    {
        var admin = _factory.Admin();
        var first = await AddAsync(admin, new { action = new { delayMs = 1 }, times = 3 });
        var second = await AddAsync(admin, new { action = new { delayMs = 1 } });

        using var listed = await admin.AdminAsync(HttpMethod.Get, "/admin/api/faults");
        var list = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement;
        Assert.True(list.GetProperty("enabled").GetBoolean());
        Assert.Equal([first, second], list.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(3, list.GetProperty("rules")[0].GetProperty("remaining").GetInt32());

        using var removed = await admin.AdminAsync(HttpMethod.Delete, "/admin/api/faults/" + first);
        using var again = await admin.AdminAsync(HttpMethod.Delete, "/admin/api/faults/" + first);
        using var cleared = await admin.AdminAsync(HttpMethod.Delete, "/admin/api/faults");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await cleared.Content.ReadAsStringAsync()).RootElement.GetProperty("removed").GetInt32());
    }

    [Fact]
    public async Task A_rule_that_cannot_act_is_refused_with_every_problem()
    {
        using var response = await _factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/faults", new
        {
            match = new { @interface = "upload", vdnId = 0 },
            action = new { resultCode = "0", delayMs = -1 },
            probability = 2,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => p.GetString()!).ToList();
        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("match.interface 'upload' is not one of uploadFile", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rule_that_could_never_act_or_would_answer_an_error_body_with_a_success_status_is_refused()
    {
        var admin = _factory.Admin();
        using var named = await admin.AdminAsync(HttpMethod.Post, "/admin/api/faults",
            new { match = new { @interface = "uploadFile", fileName = "*.wav" }, action = new { resultCode = "0300503" }, times = 1 });
        using var ok = await admin.AdminAsync(HttpMethod.Post, "/admin/api/faults", new { action = new { httpStatus = 200 } });
        using var withCode = await admin.AdminAsync(HttpMethod.Post, "/admin/api/faults",
            new { action = new { resultCode = "0300008", httpStatus = 200 }, times = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, named.StatusCode);
        Assert.Contains("match.fileName never matches uploadFile", await named.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, ok.StatusCode);
        Assert.Contains("must be from 400 to 599", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, withCode.StatusCode);
        using var rules = await admin.AdminAsync(HttpMethod.Get, "/admin/api/faults");
        Assert.Single(JsonDocument.Parse(await rules.Content.ReadAsStringAsync()).RootElement.GetProperty("rules").EnumerateArray());
    }

    [Fact]
    public async Task A_wrong_property_inside_match_or_action_is_named_with_its_path()
    {
        var admin = _factory.Admin();
        using var misspelt = await admin.AdminAsync(HttpMethod.Post, "/admin/api/faults", new { action = new { resultcode = "0300503" } });
        using var fraction = await admin.AdminAsync(HttpMethod.Post, "/admin/api/faults", new { action = new { delayMs = 1.5 } });

        Assert.Equal(HttpStatusCode.BadRequest, misspelt.StatusCode);
        Assert.StartsWith("the body is not valid: unknown property 'action.resultcode' (did you mean 'resultCode'? names are case-sensitive); "
            + "the valid properties of 'action' are resultCode, httpStatus", await ErrorOfAsync(misspelt), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, fraction.StatusCode);
        Assert.Equal("the body is not valid: property 'action.delayMs' must be a whole number", await ErrorOfAsync(fraction));
    }

    private static async Task<string?> ErrorOfAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

    [Fact]
    public async Task A_server_without_fault_injection_refuses_rules_with_409()
    {
        using var factory = new CcfsFactory();

        using var response = await factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/faults",
            new { action = new { resultCode = "0300503" } });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Ccfs:Faults:Enabled=true", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var upload = await factory.Signed().UploadAsync(Samples.Read("valid", "alaw-8k-sine.wav"));
        await CcfsAnswer.AssertTripleAsync(upload, "0", "success");
    }

    internal static async Task<string> AddAsync(SignedClient admin, object rule)
    {
        using var response = await admin.AdminAsync(HttpMethod.Post, "/admin/api/faults", rule);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }
}
