using System.Net;
using System.Text.Json;
using Ccfs.Server.Catalog;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>System parameters changed through the admin API: checked, stored in the catalog and obeyed at once.</summary>
public sealed class ParameterAdminTests : IDisposable
{
    private const string Parameters = "/admin/api/parameters";
    private readonly CcfsFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task The_view_shows_configuration_overrides_and_values_in_force()
    {
        var view = await GetAsync(_factory);

        Assert.Equal(5, view.GetProperty("defaults").GetProperty("uploadSizeLimitMb").GetDecimal());
        Assert.Equal("alaw", view.GetProperty("global").GetProperty("effective").GetProperty("acceptedEncodings").GetString());
        Assert.Empty(view.GetProperty("global").GetProperty("overrides").EnumerateObject());
        Assert.Equal(0, view.GetProperty("vdns").GetArrayLength());
    }

    [Fact]
    public async Task Overrides_stored_under_older_rules_are_skipped_one_by_one_and_named_in_the_log()
    {
        // An older version accepted a folder name today's rules refuse; it is in the catalog already.
        var store = _factory.Services.GetRequiredService<ParameterStore>();
        await store.SaveAsync(CcfsFactory.Vdn, new ParameterOverrides(UploadPathRule: "/prompts/%VDNNO%/bot é/"), CancellationToken.None);
        await store.SaveAsync(55, new ParameterOverrides(UploadSizeLimitMb: 0.05m), CancellationToken.None);

        await _factory.Services.GetRequiredService<CatalogSync>().RefreshAsync(CancellationToken.None);

        var client = _factory.Signed();
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.ALawOfSize(100_000), 55), "0300003", "The length of data is too long.");
        Assert.StartsWith("Y:/3rdfile/53/thirdvoicebotfile/", await client.StoreAsync(Samples.Sine), StringComparison.Ordinal);
        // Each reload that finds them logs them; the watcher may also reload between the two saves above.
        var logged = _factory.Logs.Where(l => l.Message.Contains("break today's rules", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(logged);
        Assert.All(logged, l => Assert.Contains("VDN 53", l.Message, StringComparison.Ordinal));
        Assert.All(logged, l => Assert.DoesNotContain("VDN 55", l.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_smaller_size_limit_is_obeyed_by_the_next_upload_and_removing_it_restores_the_default()
    {
        var client = _factory.Signed();
        var file = Samples.ALawOfSize(100_000);
        await client.StoreAsync(file);

        await PutAsync(Parameters, new { uploadSizeLimitMb = 0.05m });
        var before = _factory.Snapshot();
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(file), "0300003", "The length of data is too long.");
        Assert.Equal(before, _factory.Snapshot());

        await PutAsync(Parameters, new { });
        await client.StoreAsync(file);
    }

    [Fact]
    public async Task A_VDN_can_accept_encodings_the_others_refuse()
    {
        var mulaw = Samples.Read("optional", "mulaw-8k-sine.wav");
        var client = _factory.Signed();
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(mulaw, 55), "0300004", "The format of data is incorrect.");

        var view = await PutAsync(Parameters + "/vdns/55", new { acceptedEncodings = "alaw,mulaw" });

        Assert.Equal("alaw,mulaw", view.GetProperty("vdns")[0].GetProperty("effective").GetProperty("acceptedEncodings").GetString());
        await client.StoreAsync(mulaw, 55);
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(mulaw, CcfsFactory.Vdn), "0300004", "The format of data is incorrect.");

        using var removed = await _factory.Admin().SendAsync(HttpMethod.Delete, Parameters + "/vdns/55");
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(mulaw, 55), "0300004", "The format of data is incorrect.");
    }

    [Fact]
    public async Task A_VDN_with_its_own_upload_path_rule_stores_and_finds_files_there_and_other_VDNs_are_unaffected()
    {
        var client = _factory.Signed();
        await PutAsync(Parameters + "/vdns/55", new { uploadPathRule = "/prompts/%VDNNO%/bot/", driveLetter = "Z" });

        var custom = await client.StoreAsync(Samples.Sine, 55);
        var usual = await client.StoreAsync(Samples.Sine, CcfsFactory.Vdn);

        Assert.Matches(@"^Z:/prompts/55/bot/[A-Za-z0-9]{8}_[0-9]{13}\.wav$", custom);
        Assert.StartsWith("Y:/3rdfile/53/thirdvoicebotfile/", usual, StringComparison.Ordinal);
        Assert.True(_factory.HasCopy(custom));
        await CcfsAnswer.AssertTripleAsync(await client.HashAsync(custom), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await client.HashAsync(usual), "0", "success");
        // VDN 55 no longer owns the global folder, and the global rules do not reach VDN 55's own.
        await CcfsAnswer.AssertTripleAsync(await client.HashAsync("Y:/3rdfile/55/thirdvoicebotfile/abcdefgh_1700000000000.wav"),
            "0300004", "The format of fileName is incorrect.");
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(custom), "0", "success");
        Assert.False(_factory.HasCopy(custom));
    }

    [Fact]
    public async Task A_new_global_upload_rule_and_drive_letter_are_obeyed_by_the_next_upload()
    {
        var client = _factory.Signed();

        await PutAsync(Parameters, new { uploadPathRule = "/prompts/%VDNNO%/bot/", driveLetter = "Z" });
        var name = await client.StoreAsync(Samples.Sine);

        Assert.Matches(@"^Z:/prompts/53/bot/[A-Za-z0-9]{8}_[0-9]{13}\.wav$", name);
        Assert.Equal(Samples.Sine, _factory.ReadCopy(name));
        await CcfsAnswer.AssertTripleAsync(await client.HashAsync(name), "0", "success");
    }

    [Fact]
    public async Task A_new_download_rule_is_obeyed_by_the_next_download()
    {
        var client = _factory.Signed();
        var prompt = await client.StoreAsync(Samples.Sine);
        _factory.PutStored("recordings/53/call.wav", Samples.Sine);
        await CcfsAnswer.AssertTripleAsync(await client.DownloadAsync("Y:/recordings/53/call.wav"), "0300004", "The format of filePath is incorrect.");

        await PutAsync(Parameters, new { downloadPathRule = "/recordings/%VDNNO%" });

        using var downloaded = await client.DownloadAsync("Y:/recordings/53/call.wav");
        Assert.Equal(HttpStatusCode.OK, downloaded.StatusCode);
        Assert.Equal(Samples.Sine, await downloaded.Content.ReadAsByteArrayAsync());
        // The upload folder is no longer among the download rules.
        await CcfsAnswer.AssertTripleAsync(await client.DownloadAsync(prompt), "0300004", "The format of filePath is incorrect.");
    }

    public static TheoryData<string, string, string> InvalidChanges => new()
    {
        { Parameters, """{"uploadSizeLimitMb":0}""", "uploadSizeLimitMb is 0" },
        { Parameters, """{"uploadSizeLimitMb":-3}""", "uploadSizeLimitMb is -3" },
        { Parameters, """{"uploadSizeLimitMb":5000}""", "at most 1024" },
        { Parameters, """{"uploadSizeLimitMb":0.0000001}""", "a limit of 0 bytes" },
        { Parameters, """{"uploadSizeLimitMb":0.0009}""", "at least 1024 bytes" },
        { Parameters, """{"downloadPathRule":""}""", "names no rule" },
        { Parameters, """{"downloadPathRule":" ; "}""", "names no rule" },
        { Parameters + "/vdns/55", """{"downloadPathRule":";"}""", "VDN 55: downloadPathRule ';' names no rule" },
        { Parameters + "/vdns/55", $$"""{"downloadPathRule":"{{string.Join(';', Enumerable.Range(1, 65).Select(i => $"/voice/%VDNNO%/r{i}"))}}"}""",
            "VDN 55: downloadPathRule names 65 rules; at most 64 are allowed" },
        { Parameters, """{"uploadPathRule":"/3rdfile/%VDN%/x/"}""", "%VDN%" },
        { Parameters + "/vdns/55", """{"downloadPathRule":"/voice/1/IVRrecordFile/%VDNNO%"}""",
            "VDN 55: its folder /voice/1/IVRrecordFile/55 (rule /voice/1/IVRrecordFile/%VDNNO%) and the folder the global rule /voice/%VDNNO%/IVRrecordFile gives another VDN could be one inside the other" },
        { Parameters, """{"downloadPathRule":"/voice/%VDNNO%;/voice/1/%VDNNO%"}""",
            "the path rules /voice/%VDNNO% and /voice/1/%VDNNO% give two VDNs folders one inside the other" },
        { Parameters, """{"uploadPathRule":"/3rdfile/fixed/"}""", "must contain %VDNNO%" },
        { Parameters, """{"downloadPathRule":"/voice/%VDNNO%/a;/x/%NOPE%/"}""", "%NOPE%" },
        // Folders a rule may place files in but no client could name again (LogicalPath refuses them).
        { Parameters, """{"uploadPathRule":"/prompts/%VDNNO%/bot é/"}""", "U+00E9" },
        { Parameters, """{"uploadPathRule":"/prompts/%VDNNO%/a*b/"}""", "'*'" },
        { Parameters, """{"uploadPathRule":"/prompts/%VDNNO%/a:b/"}""", "':'" },
        { Parameters, """{"uploadPathRule":"/prompts/%VDNNO%/a\\b/"}""", "'\\'" },
        { Parameters, """{"downloadPathRule":"/voice/%VDNNO%/a|b"}""", "'|'" },
        { Parameters, $$"""{"uploadPathRule":"/{{new string('a', 256)}}/%VDNNO%/"}""", "256 characters" },
        { Parameters, $$"""{"uploadPathRule":"/{{string.Join('/', Enumerable.Repeat(new string('a', 200), 4))}}/%VDNNO%/"}""", "too long" },
        { Parameters, """{"uploadPathRule":"/prompts/%VDNNO%/x/%VDNNO%/"}""", "more than once" },
        { Parameters, """{"driveLetter":"YY"}""", "one letter" },
        { Parameters, """{"acceptedEncodings":"alaw,mp3"}""", "mp3" },
        { Parameters, """{"uploadSizeLimitMB":1}""", "unknown property 'uploadSizeLimitMB' (did you mean 'uploadSizeLimitMb'? names are case-sensitive); "
            + "the valid properties are uploadSizeLimitMb, uploadPathRule, downloadPathRule, driveLetter, acceptedEncodings" },
        { Parameters + "/vdns/55", """{"driveLetter":"Z","maxFileSize":1}""", "unknown property 'maxFileSize'; the valid properties are "
            + "uploadSizeLimitMb, uploadPathRule, downloadPathRule, driveLetter, acceptedEncodings" },
        { Parameters, """{"driveLetter":"Y","driveLetter":"Z"}""", "property 'driveLetter' appears more than once" },
        { Parameters, """{"uploadSizeLimitMb":"big"}""", "property 'uploadSizeLimitMb' must be a number" },
        { Parameters, """{"driveLetter":5}""", "property 'driveLetter' must be a string (or null)" },
        { Parameters, """[1,2]""", "the body must be a JSON object with the properties uploadSizeLimitMb, uploadPathRule" },
        { Parameters, """{"uploadSizeLimitMb":""", "the body is not valid JSON" },
        { Parameters + "/vdns/55", """{"uploadSizeLimitMb":0}""", "VDN 55: uploadSizeLimitMb is 0" },
        { Parameters, """{"retainFor":"30d"}""", "property 'retainFor' must be a duration as a string, days.hours:minutes:seconds, such as \"30.00:00:00\"" },
        { Parameters, """{"retainFor":"99999999.00:00:00"}""", "property 'retainFor' is longer than any duration ccfs takes" },
        { Parameters, """{"quotaFiles":1.5}""", "property 'quotaFiles' must be a whole number" },
        { Parameters + "/vdns/0", """{"uploadSizeLimitMb":1}""", "'0' is not a VDN number" },
    };

    [Theory]
    [MemberData(nameof(InvalidChanges))]
    public async Task An_invalid_change_is_400_naming_the_problem_and_changes_nothing(string path, string json, string named)
    {
        var before = await GetAsync(_factory);

        using var response = await _factory.Admin().SendAsync(HttpMethod.Put, path, System.Text.Encoding.UTF8.GetBytes(json));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains(named, Explanation(text), StringComparison.Ordinal);
        // The API's words, not the serializer's: no .NET type or member names.
        Assert.DoesNotContain(".NET", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Ccfs.Server", text, StringComparison.Ordinal);
        Assert.DoesNotContain("isEmpty", text, StringComparison.Ordinal);
        Assert.Equal(before.ToString(), (await GetAsync(_factory)).ToString());
        Assert.Equal(0L, CountOverrideRows(_factory));
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_415()
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Put, Parameters, "uploadSizeLimitMb=1"u8.ToArray(),
            new SignOptions { ContentType = "text/plain" });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0L, CountOverrideRows(_factory));
    }

    [Fact]
    public async Task A_change_is_obeyed_at_once_and_survives_a_restart()
    {
        var client = _factory.Signed();
        var file = Samples.ALawOfSize(100_000);
        await client.StoreAsync(file);

        await PutAsync(Parameters, new { uploadSizeLimitMb = 0.05m });
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(file), "0300003", "The length of data is too long.");

        using var restarted = CcfsFactory.RestartOf(_factory);
        Assert.Equal(0.05m, (await GetAsync(restarted)).GetProperty("global").GetProperty("effective").GetProperty("uploadSizeLimitMb").GetDecimal());
        await CcfsAnswer.AssertTripleAsync(await restarted.Signed().UploadAsync(file), "0300003", "The length of data is too long.");
    }

    private async Task<JsonElement> PutAsync(string path, object body)
    {
        using var response = await _factory.Admin().AdminAsync(HttpMethod.Put, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<JsonElement> GetAsync(CcfsFactory factory)
    {
        using var response = await factory.Admin().SendAsync(HttpMethod.Get, Parameters);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>The error and its problems as text, unescaped (the JSON escapes quotes, '+' and non-ASCII).</summary>
    private static string Explanation(string json)
    {
        var error = JsonDocument.Parse(json).RootElement;
        var problems = error.TryGetProperty("problems", out var list) ? list.EnumerateArray().Select(p => p.GetString()) : [];
        return string.Join('\n', [error.GetProperty("error").GetString(), .. problems]);
    }

    private static long CountOverrideRows(CcfsFactory factory) => factory.CatalogCount("parameter_overrides");

    /// <summary>Polls a condition a bounded number of times; the change arrives on a background loop.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("the other node did not pick up the change");
    }
}
