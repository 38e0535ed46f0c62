using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Ccfs.Protocol.Development;

namespace Ccfs.Server.Tests.Functional.Seeding;

/// <summary>
/// Seeding places uploads exactly as uploadFile stores them and recordings as the IVR writes them, so hash, download (mode 1
/// too) and delete can be rehearsed; a seed with a problem places nothing; reset empties everything, and only where the
/// data is a rehearsal's.
/// </summary>
public sealed class SeedAndResetTests : IDisposable
{
    private const string Recording = "Y:/voice/1/IVRrecordFile/20261201/20261201093012-record.wav";

    private readonly CcfsFactory _factory = CcfsFactory.With([], withAccounts: false);

    public void Dispose() => _factory.Dispose();

    private SignedClient Development() => _factory.Signed(DevelopmentServer.AccessKey, DevelopmentServer.SecretKey);

    [Fact]
    public async Task Seeded_files_answer_hash_download_and_delete_as_uploads_and_recordings_do()
    {
        var prompt = Samples.Read("valid", "alaw-8k-sine.wav");
        var recording = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");
        var client = Development();

        var report = await SeedAsync(client, new
        {
            uploads = new[] { new { vdnId = 1, name = "welcome.wav", data = prompt } },
            recordings = new[] { new { filePath = Recording, data = recording } },
        });

        Assert.Equal("Y:/3rdfile/1/thirdvoicebotfile/welcome.wav", report.GetProperty("uploads")[0].GetProperty("fileName").GetString());
        Assert.Equal("stored", report.GetProperty("uploads")[0].GetProperty("status").GetString());
        var row = await _factory.FindAsync("/3rdfile/1/thirdvoicebotfile/welcome.wav");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(prompt)), row!.Sha256);
        Assert.Equal(DevelopmentServer.AccessKey, row.AccessKey);

        using var hash = await client.HashAsync("Y:/3rdfile/1/thirdvoicebotfile/welcome.wav");
        var hashed = await CcfsAnswer.AssertTripleAsync(hash, "0", "success");
        Assert.Equal(row.Sha256, hashed.GetProperty("resultData").GetProperty("hash").GetString());
        using var folder = await client.DownloadAsync("Y:/voice/1/IVRrecordFile/20261201", mode: 1);
        Assert.Equal(recording, await folder.Content.ReadAsByteArrayAsync());
        using var file = await client.DownloadAsync(Recording);
        Assert.Equal(recording, await file.Content.ReadAsByteArrayAsync());

        var again = await SeedAsync(client, new { uploads = new[] { new { vdnId = 1, name = "welcome.wav", data = prompt } } });
        Assert.Equal("exists", again.GetProperty("uploads")[0].GetProperty("status").GetString());
        using var deleted = await client.DeleteAsync("Y:/3rdfile/1/thirdvoicebotfile/welcome.wav");
        await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
    }

    [Fact]
    public async Task A_seed_with_a_problem_places_nothing_and_names_each_problem()
    {
        var before = _factory.Snapshot();

        using var response = await Development().AdminAsync(HttpMethod.Post, "/admin/api/seed", new
        {
            uploads = new[]
            {
                new { vdnId = 1, name = "good.wav", data = Samples.Read("valid", "alaw-8k-sine.wav") },
                new { vdnId = 1, name = "bad.wav", data = new byte[] { 1, 2, 3 } },
            },
            recordings = new[] { new { filePath = "Y:/elsewhere/1/x.wav", data = new byte[] { 1 } } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("problems");
        Assert.Equal(2, problems.GetArrayLength());
        Assert.StartsWith("uploads[1]: uploadFile would refuse it", problems[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("recordings[0]: Y:/elsewhere/1/x.wav cannot be a recording", problems[1].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task Data_that_is_not_base64_is_named_by_its_place_in_the_seed()
    {
        var before = _factory.Snapshot();

        using var response = await Development().AdminAsync(HttpMethod.Post, "/admin/api/seed",
            new { uploads = new[] { new { vdnId = 1, name = "y.wav", data = "not base64!" } } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("the body is not valid: property 'uploads[0].data' must be Base64 text",
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task A_seed_uploadFile_would_refuse_for_its_prompt_check_or_quota_places_nothing()
    {
        var client = Development();
        using (var set = await client.AdminAsync(HttpMethod.Put, "/admin/api/parameters/vdns/1", new { promptCheck = "refuse", quotaFiles = 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        var before = _factory.Snapshot();
        var nominal = Samples.Read("lint", "prompt-nominal.wav");

        var loud = await RefusedAsync(client, new { uploads = new[] { new { vdnId = 1, name = "loud.wav", data = Samples.Read("valid", "alaw-8k-sine.wav") } } });
        var two = await RefusedAsync(client, new
        {
            uploads = new[] { new { vdnId = 1, name = "one.wav", data = nominal }, new { vdnId = 1, name = "two.wav", data = nominal } },
        });

        Assert.StartsWith("uploads[0]: uploadFile would refuse it: the prompt failed its quality checks (promptCheck=refuse): level",
            Assert.Single(loud), StringComparison.Ordinal);
        Assert.Equal("uploads to VDN 1 would not fit its quota: they would make it 2 of 1 files, " + $"{2 * nominal.Length} bytes (no bytes quota)",
            Assert.Single(two));
        Assert.Equal(before, _factory.Snapshot());
        // Seeding a name again does not count twice: one.wav, then one.wav again, fits a quota of one file.
        await SeedAsync(client, new { uploads = new[] { new { vdnId = 1, name = "one.wav", data = nominal } } });
        var again = await SeedAsync(client, new { uploads = new[] { new { vdnId = 1, name = "one.wav", data = nominal } } });
        Assert.Equal("exists", again.GetProperty("uploads")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_recording_is_never_seeded_over_a_stored_upload()
    {
        var client = Development();
        var prompt = Samples.Read("valid", "alaw-8k-sine.wav");
        var name = (await SeedAsync(client, new { uploads = new[] { new { vdnId = 1, name = "welcome.wav", data = prompt } } }))
            .GetProperty("uploads")[0].GetProperty("fileName").GetString()!;
        var before = _factory.Snapshot();

        var problems = await RefusedAsync(client, new { recordings = new[] { new { filePath = name, data = new byte[] { 1, 2, 3 } } } });

        Assert.Equal($"recordings[0]: {name} is a stored upload; a recording cannot replace it (delete it first)", Assert.Single(problems));
        Assert.Equal(before, _factory.Snapshot());
        Assert.True(_factory.HasCopy(name));
    }

    [Fact]
    public async Task Reset_forgets_every_file_and_empties_every_location()
    {
        var client = Development();
        var stored = await client.StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"), 1);
        await SeedAsync(client, new { recordings = new[] { new { filePath = Recording, data = new byte[] { 1, 2 } } } });

        using var response = await client.AdminAsync(HttpMethod.Post, "/admin/api/reset");

        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, report.GetProperty("files").GetInt32());
        Assert.Equal(2, report.GetProperty("removed").GetProperty("0").GetInt32());
        Assert.Empty(_factory.CatalogRows());
        Assert.False(_factory.HasCopy(stored));
        Assert.Null(_factory.ReadStored(Recording[3..]));
        using var hash = await client.HashAsync(stored);
        await CcfsAnswer.AssertTripleAsync(hash, "0300011", "The file does not exist.");
        var again = await client.StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"), 1);
        Assert.True(_factory.HasCopy(again));
    }

    [Fact]
    public async Task Reset_is_refused_with_409_where_the_data_may_be_real()
    {
        using var factory = new CcfsFactory();
        var stored = await factory.Signed().StoreAsync(Samples.Read("valid", "alaw-8k-sine.wav"));
        var before = factory.Snapshot();

        using var response = await factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/reset");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("--ephemeral", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, factory.Snapshot());
        Assert.True(factory.HasCopy(stored));
    }

    private static async Task<List<string>> RefusedAsync(SignedClient client, object body)
    {
        using var response = await client.AdminAsync(HttpMethod.Post, "/admin/api/seed", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!)];
    }

    private static async Task<JsonElement> SeedAsync(SignedClient client, object body)
    {
        using var response = await client.AdminAsync(HttpMethod.Post, "/admin/api/seed", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
