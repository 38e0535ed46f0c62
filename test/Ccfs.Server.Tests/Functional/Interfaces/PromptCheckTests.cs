using System.Net;
using System.Text.Json;
using Ccfs.Protocol.Wire;
using Ccfs.Server.Tests.Functional.Observability;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>
/// The <c>promptCheck</c> parameter at upload (docs/prompt-quality.md): <c>warn</c> (the default) stores and records the
/// findings everywhere they are promised, <c>refuse</c> answers 0300004 with the failed checks and stores nothing,
/// <c>off</c> measures nothing; thresholds per VDN; the admin API lists, filters and uploads with the findings.
/// </summary>
public sealed class PromptCheckTests
{
    private static byte[] Lint(string name) => Samples.Read("lint", name + ".wav");

    [Fact]
    public async Task Warn_stores_a_quiet_prompt_and_answers_audits_lists_and_counts_its_findings()
    {
        using var factory = CcfsFactory.With([]);

        using var answer = await factory.Signed().UploadAsync(Lint("prompt-quiet"));

        await CcfsAnswer.AssertTripleAsync(answer, "0", "success");
        var line = Assert.Single(answer.Headers.GetValues(PromptCheckLine.HeaderName));
        var check = PromptCheckLine.TryParse(line)!;
        Assert.Equal("quiet", check.Verdict);
        Assert.InRange(check.LevelDbov!.Value, -40.5, -39.5);
        var fileName = await FileNameAsync(answer);
        Assert.True(factory.HasCopy(fileName));

        var listed = await ListAsync(factory, "");
        var record = Assert.Single(listed).GetProperty("promptCheck");
        Assert.Equal(line, record.GetProperty("line").GetString());
        Assert.Equal(["quiet"], record.GetProperty("failed").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(check.LevelDbov, record.GetProperty("levelDbov").GetDouble());

        var audit = await AuditAsync(factory);
        Assert.Equal(line, audit.GetProperty("detail").GetString());
        Assert.Equal(fileName, audit.GetProperty("file").GetString());

        var metrics = await ObservabilityTests.ScrapeAsync(factory);
        Assert.Equal(1, metrics["ccfs_prompt_checks_total{check=\"level\",outcome=\"fail\"}"]);
        Assert.Equal(1, metrics["ccfs_prompt_checks_total{check=\"clipping\",outcome=\"pass\"}"]);
        Assert.Contains(factory.Logs, l => l.Message.Contains($"found: {line}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_prompt_that_passes_is_answered_with_verdict_pass()
    {
        using var factory = CcfsFactory.With([]);

        using var answer = await factory.Signed().UploadAsync(Lint("prompt-nominal"));

        await CcfsAnswer.AssertTripleAsync(answer, "0", "success");
        var check = PromptCheckLine.TryParse(answer.Headers.GetValues(PromptCheckLine.HeaderName).Single())!;
        Assert.True(check.Passed, check.Verdict);
        Assert.Empty(await ListAsync(factory, "?promptCheck=failed"));
    }

    [Theory]
    [InlineData("prompt-clipped", "clipping")]
    [InlineData("prompt-quiet", "level")]
    [InlineData("prompt-dc", "dc")]
    [InlineData("prompt-long-head", "head-silence")]
    [InlineData("prompt-long-tail", "tail-silence")]
    public async Task Refuse_answers_0300004_names_the_failed_checks_and_stores_nothing(string prompt, string failedCheck)
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:PromptCheck"] = "refuse" });

        var answer = await factory.AssertRefusedAsync(c => c.UploadAsync(Lint(prompt)), "0300004", "The format of data is incorrect.");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var reason = answer.Headers.GetValues("X-Ccfs-Reason").Single();
        Assert.StartsWith("the prompt failed its quality checks (promptCheck=refuse): ", reason, StringComparison.Ordinal);
        Assert.Contains($"{failedCheck}: ", reason, StringComparison.Ordinal);
        Assert.False(PromptCheckLine.TryParse(answer.Headers.GetValues(PromptCheckLine.HeaderName).Single())!.Passed);
        Assert.Empty(factory.CatalogRows());
        var audit = await AuditAsync(factory);
        Assert.Equal("0300004", audit.GetProperty("resultCode").GetString());
        Assert.Contains("verdict=", audit.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuse_stores_a_prompt_that_passes_and_silence_is_refused_as_silent()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:PromptCheck"] = "refuse" });

        await CcfsAnswer.AssertTripleAsync(await factory.Signed().UploadAsync(Lint("prompt-nominal")), "0", "success");
        var silence = await factory.AssertRefusedAsync(c => c.UploadAsync(Samples.Read("valid", "alaw-8k-silence-fact-after-data.wav")),
            "0300004", "The format of data is incorrect.");
        Assert.Contains("silent: no active speech", silence.Headers.GetValues("X-Ccfs-Reason").Single(), StringComparison.Ordinal);
        Assert.Contains("level=none", silence.Headers.GetValues(PromptCheckLine.HeaderName).Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_measures_nothing_and_records_nothing()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:PromptCheck"] = "off" });

        using var answer = await factory.Signed().UploadAsync(Lint("prompt-quiet"));

        await CcfsAnswer.AssertTripleAsync(answer, "0", "success");
        Assert.False(answer.Headers.Contains(PromptCheckLine.HeaderName));
        Assert.False(Assert.Single(await ListAsync(factory, "")).TryGetProperty("promptCheck", out _));
        Assert.False((await AuditAsync(factory)).TryGetProperty("detail", out _));
        Assert.DoesNotContain("ccfs_prompt_checks_total{", await factory.CreateClient().GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vdn_sets_its_own_mode_and_thresholds_and_other_vdns_keep_the_global_ones()
    {
        using var factory = CcfsFactory.With([]);
        using var set = await factory.Admin().AdminAsync(HttpMethod.Put, $"/admin/api/parameters/vdns/{CcfsFactory.Vdn}",
            new { promptCheck = "refuse", promptLevelDbov = -40, promptLevelToleranceDb = 3 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        // The quiet prompt (-40 dBov) is on target for this VDN; the nominal one (-26 dBov) is now too loud and refused.
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().UploadAsync(Lint("prompt-quiet")), "0", "success");
        var loud = await factory.AssertRefusedAsync(c => c.UploadAsync(Lint("prompt-nominal")), "0300004", "The format of data is incorrect.");
        Assert.Contains("verdict=loud", loud.Headers.GetValues(PromptCheckLine.HeaderName).Single(), StringComparison.Ordinal);

        // The other VDN keeps the global warn at -26 dBov.
        using var other = await factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey)
            .UploadAsync(Lint("prompt-quiet"), CcfsFactory.OtherVdn);
        await CcfsAnswer.AssertTripleAsync(other, "0", "success");
        Assert.Contains("verdict=quiet", other.Headers.GetValues(PromptCheckLine.HeaderName).Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"promptCheck":"maybe"}""", "promptCheck 'maybe' must be one of off, warn, refuse")]
    [InlineData("""{"promptLevelDbov":3}""", "promptLevelDbov is 3; it must be between -60 and 0")]
    [InlineData("""{"promptLevelToleranceDb":0}""", "promptLevelToleranceDb is 0; it must be above 0 and at most 30")]
    [InlineData("""{"promptMaxClippedRuns":-1}""", "promptMaxClippedRuns is -1; it must be 0 or more")]
    [InlineData("""{"promptMaxDcOffsetPercent":0}""", "promptMaxDcOffsetPercent is 0; it must be above 0 and at most 100")]
    [InlineData("""{"promptMaxHeadSilenceSeconds":-0.5}""", "promptMaxHeadSilenceSeconds is -0.5; it must be between 0 and 3600")]
    public async Task Prompt_parameters_out_of_range_are_refused_by_name_and_change_nothing(string body, string problem)
    {
        using var factory = CcfsFactory.With([]);

        using var answer = await factory.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters", JsonDocument.Parse(body).RootElement);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var problems = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("problems");
        Assert.Contains(problems.EnumerateArray(), p => p.GetString()!.Contains(problem, StringComparison.Ordinal));
        using var upload = await factory.Signed().UploadAsync(Lint("prompt-quiet"));
        await CcfsAnswer.AssertTripleAsync(upload, "0", "success");
    }

    [Fact]
    public async Task The_admin_list_filters_the_files_that_failed_and_refuses_an_unknown_filter()
    {
        using var factory = CcfsFactory.With([]);
        await factory.Signed().StoreAsync(Lint("prompt-nominal"));
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        var quiet = await factory.Signed().StoreAsync(Lint("prompt-quiet"));
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        var clipped = await factory.Signed().StoreAsync(Lint("prompt-clipped"));

        Assert.Equal(3, (await ListAsync(factory, "")).Count);
        var failing = await ListAsync(factory, "?promptCheck=failed&limit=1");
        Assert.Equal(clipped, Assert.Single(failing).GetProperty("fileName").GetString());
        var all = await ListAsync(factory, "?promptCheck=failed");
        Assert.Equal([clipped, quiet], all.Select(f => f.GetProperty("fileName").GetString()));

        using var unknown = await factory.Admin().AdminAsync(HttpMethod.Get, $"/admin/api/vdns/{CcfsFactory.Vdn}/files?promptCheck=passed");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task The_admin_upload_answers_with_the_findings_and_under_refuse_stores_nothing()
    {
        using var factory = CcfsFactory.With([]);
        using var warned = await AdminUploadAsync(factory, Lint("prompt-quiet"));
        Assert.Equal(HttpStatusCode.Created, warned.StatusCode);
        var stored = JsonDocument.Parse(await warned.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("quiet", stored.GetProperty("promptCheck").GetProperty("verdict").GetString());

        using var set = await factory.Admin().AdminAsync(HttpMethod.Put, $"/admin/api/parameters/vdns/{CcfsFactory.Vdn}",
            new { promptCheck = "refuse" });
        var before = factory.Snapshot();
        using var refused = await AdminUploadAsync(factory, Lint("prompt-clipped"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.EndsWith("; nothing was stored", error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains(error.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("clipping: ", StringComparison.Ordinal));
        Assert.Equal(before, factory.Snapshot());
    }

    private static async Task<HttpResponseMessage> AdminUploadAsync(CcfsFactory factory, byte[] wav) =>
        await factory.Admin().SendAsync(HttpMethod.Post, $"/admin/api/vdns/{CcfsFactory.Vdn}/files", wav,
            new SignOptions { ContentType = "audio/wav", SignedHeaders = ["host", "content-type"] });

    private static async Task<string> FileNameAsync(HttpResponseMessage answer) =>
        JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("resultData").GetProperty("fileName").GetString()!;

    private static async Task<List<JsonElement>> ListAsync(CcfsFactory factory, string query)
    {
        using var listed = await factory.Admin().AdminAsync(HttpMethod.Get, $"/admin/api/vdns/{CcfsFactory.Vdn}/files{query}");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        return [.. JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.GetProperty("files").EnumerateArray()];
    }

    /// <summary>The newest uploadFile audit entry, once the audit trail has written it.</summary>
    private static async Task<JsonElement> AuditAsync(CcfsFactory factory)
    {
        for (var i = 0; i < 100; i++)
        {
            using var audit = await factory.Admin().AdminAsync(HttpMethod.Get, "/admin/api/audit?interface=uploadFile&limit=1");
            var entries = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.GetProperty("entries");
            if (entries.GetArrayLength() > 0)
            {
                return entries[0];
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException("no uploadFile audit entry was written within 5 s");
    }
}
