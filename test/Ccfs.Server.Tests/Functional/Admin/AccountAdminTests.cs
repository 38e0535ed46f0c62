using System.Net;
using System.Text;
using System.Text.Json;
using Ccfs.Server.Auth;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>Accounts created, rotated, disabled and deleted through the admin API, and their signatures with them.</summary>
public sealed class AccountAdminTests : IDisposable
{
    private const string Accounts = "/admin/api/accounts";
    private readonly CcfsFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_created_account_signs_for_its_VDNs_only_and_its_secret_is_shown_once()
    {
        var (accessKey, secretKey) = await CreateAsync(new { vdnIds = new[] { 61 }, description = "voicebot A" });

        Assert.Matches("^[A-Z0-9]{20}$", accessKey);
        Assert.Matches("^[A-Za-z0-9]{40}$", secretKey);
        var client = _factory.Signed(accessKey, secretKey);
        var name = await client.StoreAsync(Samples.Sine, 61);
        Assert.StartsWith("Y:/3rdfile/61/", name, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.UploadAsync(Samples.Sine, CcfsFactory.Vdn)).StatusCode);

        var list = await ListTextAsync();
        Assert.Contains(accessKey, list, StringComparison.Ordinal);
        Assert.DoesNotContain(secretKey, list, StringComparison.Ordinal);
        var view = JsonDocument.Parse(list).RootElement.EnumerateArray().Single(a => a.GetProperty("accessKey").GetString() == accessKey);
        Assert.Equal("catalog", view.GetProperty("source").GetString());
        Assert.Equal("voicebot A", view.GetProperty("description").GetString());
        Assert.Equal(1, view.GetProperty("secrets").GetArrayLength());
    }

    [Fact]
    public async Task The_answer_writes_a_plus_as_itself_so_a_value_copied_from_it_is_the_value()
    {
        await CreateAsync(new { vdnIds = new[] { 61 }, description = "bot+A <test> & 'co'" });

        var list = await ListTextAsync();

        Assert.Contains("\"description\":\"bot+A <test> & 'co'\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", list, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_access_key_in_the_servers_own_names_is_refused()
    {
        using var response = await _factory.Admin().AdminAsync(HttpMethod.Post, Accounts, new { accessKey = "CCFS:retention", vdnIds = new[] { 53 } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problems = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("problems");
        Assert.StartsWith("AccessKey must not start with 'ccfs:'", Assert.Single(problems.EnumerateArray()).GetString(), StringComparison.Ordinal);
        using var list = await _factory.Admin().SendAsync(HttpMethod.Get, Accounts);
        Assert.DoesNotContain("CCFS:retention", await list.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Configured_accounts_are_listed_read_only()
    {
        var list = JsonDocument.Parse(await ListTextAsync()).RootElement;
        var configured = list.EnumerateArray().Single(a => a.GetProperty("accessKey").GetString() == CcfsFactory.AccessKey);
        Assert.Equal("configuration", configured.GetProperty("source").GetString());
        Assert.DoesNotContain(CcfsFactory.SecretKey, list.ToString(), StringComparison.Ordinal);

        var admin = _factory.Admin();
        foreach (var response in new[]
        {
            await admin.AdminAsync(HttpMethod.Post, Accounts, new { accessKey = CcfsFactory.AccessKey, vdnIds = new[] { 1 } }),
            await admin.AdminAsync(HttpMethod.Patch, $"{Accounts}/{CcfsFactory.AccessKey}", new { disabled = true }),
            await admin.SendAsync(HttpMethod.Delete, $"{Accounts}/{CcfsFactory.AccessKey}"),
            await admin.SendAsync(HttpMethod.Post, $"{Accounts}/{CcfsFactory.AccessKey}/rotate"),
        })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        }

        await _factory.Signed().StoreAsync(Samples.Sine);
    }

    [Fact]
    public async Task During_a_rotation_both_secrets_sign_until_the_old_one_is_retired()
    {
        var (accessKey, oldSecret) = await CreateAsync(new { accessKey = "rotating-bot", vdnIds = new[] { 62 } });

        using var rotated = await _factory.Admin().SendAsync(HttpMethod.Post, $"{Accounts}/{accessKey}/rotate");
        var issued = JsonDocument.Parse(await rotated.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newSecret = issued.GetProperty("secretKey").GetString()!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(2, issued.GetProperty("account").GetProperty("secrets").GetArrayLength());
        await _factory.Signed(accessKey, oldSecret).StoreAsync(Samples.Sine, 62);
        await _factory.Signed(accessKey, newSecret).StoreAsync(Samples.Sine, 62);

        // Two secrets are the most a rotation keeps valid: a third waits until the old one is retired.
        using (var again = await _factory.Admin().SendAsync(HttpMethod.Post, $"{Accounts}/{accessKey}/rotate"))
        {
            var text = await again.Content.ReadAsStringAsync();
            Assert.True(again.StatusCode == HttpStatusCode.Conflict, $"{(int)again.StatusCode}: {text}");
            Assert.Contains("retire the old secret first", JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(),
                StringComparison.Ordinal);
            Assert.DoesNotContain("secretKey", text, StringComparison.Ordinal);
        }

        var listed = JsonDocument.Parse(await ListTextAsync()).RootElement.EnumerateArray()
            .Single(a => a.GetProperty("accessKey").GetString() == accessKey);
        Assert.Equal(2, listed.GetProperty("secrets").GetArrayLength());

        using var retired = await _factory.Admin().SendAsync(HttpMethod.Post, $"{Accounts}/{accessKey}/retire");
        Assert.Equal(HttpStatusCode.OK, retired.StatusCode);
        var before = _factory.Snapshot();
        using var refused = await _factory.Signed(accessKey, oldSecret).UploadAsync(Samples.Sine, 62);
        await CcfsAnswer.AssertSpringAsync(refused, HttpStatusCode.Unauthorized, Ccfs.Protocol.CcfsPaths.UploadFile);
        Assert.Equal(before, _factory.Snapshot());
        await _factory.Signed(accessKey, newSecret).StoreAsync(Samples.Sine, 62);

        using var rotatedAgain = await _factory.Admin().SendAsync(HttpMethod.Post, $"{Accounts}/{accessKey}/rotate");
        Assert.Equal(HttpStatusCode.OK, rotatedAgain.StatusCode);
    }

    [Fact]
    public async Task A_disabled_account_stops_signing_until_enabled_and_a_deleted_one_for_good()
    {
        var (accessKey, secretKey) = await CreateAsync(new { vdnIds = new[] { 63 } });
        var client = _factory.Signed(accessKey, secretKey);

        await PatchAsync(accessKey, new { disabled = true });
        using (var refused = await client.UploadAsync(Samples.Sine, 63))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("disabled", CcfsAnswer.Reason(refused), StringComparison.Ordinal);
        }

        await PatchAsync(accessKey, new { disabled = false, vdnIds = new[] { 63, 64 } });
        await client.StoreAsync(Samples.Sine, 64);

        using var deleted = await _factory.Admin().SendAsync(HttpMethod.Delete, $"{Accounts}/{accessKey}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.UploadAsync(Samples.Sine, 63)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _factory.Admin().SendAsync(HttpMethod.Delete, $"{Accounts}/{accessKey}")).StatusCode);
    }

    [Fact]
    public async Task An_account_made_admin_can_use_the_admin_API()
    {
        var (accessKey, secretKey) = await CreateAsync(new { vdnIds = new[] { 65 } });
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.Signed(accessKey, secretKey).SendAsync(HttpMethod.Get, Accounts)).StatusCode);

        await PatchAsync(accessKey, new { admin = true });

        Assert.Equal(HttpStatusCode.OK, (await _factory.Signed(accessKey, secretKey).SendAsync(HttpMethod.Get, Accounts)).StatusCode);
    }

    [Fact]
    public async Task The_catalog_never_holds_a_secret_key_in_plain_text_and_the_key_file_is_private()
    {
        var secrets = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            secrets.Add((await CreateAsync(new { accessKey = $"plain-{i}", vdnIds = new[] { 70 } })).SecretKey);
        }

        using var rotated = await _factory.Admin().SendAsync(HttpMethod.Post, $"{Accounts}/plain-0/rotate");
        secrets.Add(JsonDocument.Parse(await rotated.Content.ReadAsStringAsync()).RootElement.GetProperty("secretKey").GetString()!);

        var contents = _factory.CatalogContents();
        Assert.NotEmpty(contents);
        foreach (var bytes in contents)
        {
            foreach (var secret in secrets)
            {
                Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
                Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret[..16])));
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_factory.DataDir, MasterKey.FileName)));
        }
    }

    [Fact]
    public async Task An_account_signs_at_once_and_after_a_restart()
    {
        var (accessKey, secretKey) = await CreateAsync(new { vdnIds = new[] { 66 } });

        await CcfsAnswer.AssertTripleAsync(await _factory.Signed(accessKey, secretKey).UploadAsync(Samples.Sine, 66), "0", "success");
        using var restarted = CcfsFactory.RestartOf(_factory);
        await CcfsAnswer.AssertTripleAsync(await restarted.Signed(accessKey, secretKey).UploadAsync(Samples.Sine, 66), "0", "success");
    }

    [Fact]
    public async Task A_node_whose_master_key_is_not_the_catalogs_refuses_to_start_and_the_right_key_opens_the_secrets()
    {
        var (accessKey, secretKey) = await CreateAsync(new { vdnIds = new[] { 67 } });
        var keyFile = await File.ReadAllTextAsync(Path.Combine(_factory.DataDir, MasterKey.FileName));
        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        _factory.StopKeepingData();

        using (var wrongKey = new DataDirFactory(_factory.DataDir, _factory.CatalogConnectionString,
                   new() { ["Ccfs:Security:MasterKey"] = otherKey }))
        {
            // The host ends its start with the message and exit code 2 (MasterKeyProcessTests shows both); here it simply never runs.
            Assert.ThrowsAny<Exception>(() => wrongKey.Services);
            wrongKey.StopKeepingData();
        }

        using var rightKey = new DataDirFactory(_factory.DataDir, _factory.CatalogConnectionString,
            new() { ["Ccfs:Security:MasterKey"] = keyFile.Trim() });
        await CcfsAnswer.AssertTripleAsync(await rightKey.Signed(accessKey, secretKey).UploadAsync(Samples.Sine, 67), "0", "success");
    }

    public static TheoryData<string> InvalidAccounts => new()
    {
        """{"vdnIds":[]}""",
        """{"vdnIds":[0]}""",
        """{"vdnIds":[-4]}""",
        """{}""",
        """{"accessKey":"has/slash","vdnIds":[1]}""",
        """{"accessKey":"has space","vdnIds":[1]}""",
        """{"accessKey":"","vdnIds":[1]}""",
        """{"vdnIds":[1],"secretKey":"chosen"}""",
        """{"vdnIds":"1"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidAccounts))]
    public async Task An_invalid_account_is_400_and_nothing_is_created(string json)
    {
        var before = await ListTextAsync();

        using var response = await _factory.Admin().SendAsync(HttpMethod.Post, Accounts, Encoding.UTF8.GetBytes(json));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains("\"error\"", text, StringComparison.Ordinal);
        Assert.Equal(before, await ListTextAsync());
    }

    [Theory]
    [InlineData("""{"vdnIds":[1],"secretKey":"chosen"}""", "unknown property 'secretKey'; the valid properties are vdnIds, accessKey, admin, description")]
    [InlineData("""{"vdnIds":"1"}""", "property 'vdnIds' must be a list of numbers, such as [53, 54]")]
    public async Task A_body_the_API_cannot_read_is_named_in_the_APIs_terms(string json, string named)
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Post, Accounts, Encoding.UTF8.GetBytes(json));

        var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("the body is not valid: " + named, error);
    }

    [Fact]
    public async Task Unknown_accounts_are_404_and_a_taken_access_key_is_409()
    {
        await CreateAsync(new { accessKey = "taken", vdnIds = new[] { 1 } });

        Assert.Equal(HttpStatusCode.Conflict, (await _factory.Admin().AdminAsync(HttpMethod.Post, Accounts, new { accessKey = "taken", vdnIds = new[] { 2 } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _factory.Admin().AdminAsync(HttpMethod.Patch, $"{Accounts}/nobody", new { disabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _factory.Admin().SendAsync(HttpMethod.Post, $"{Accounts}/nobody/rotate")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _factory.Admin().SendAsync(HttpMethod.Post, $"{Accounts}/nobody/retire")).StatusCode);
    }

    private async Task<(string AccessKey, string SecretKey)> CreateAsync(object body)
    {
        using var response = await _factory.Admin().AdminAsync(HttpMethod.Post, Accounts, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        var json = JsonDocument.Parse(text).RootElement;
        return (json.GetProperty("account").GetProperty("accessKey").GetString()!, json.GetProperty("secretKey").GetString()!);
    }

    private async Task PatchAsync(string accessKey, object body)
    {
        using var response = await _factory.Admin().AdminAsync(HttpMethod.Patch, $"{Accounts}/{accessKey}", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> ListTextAsync()
    {
        using var response = await _factory.Admin().SendAsync(HttpMethod.Get, Accounts);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private sealed class DataDirFactory(string dataDir, string? catalog, Dictionary<string, string?> settings)
        : CcfsFactory(settings, dataDir: dataDir, catalog: catalog);
}
