using System.Globalization;
using System.Net;
using System.Text.Json;
using Ccfs.Protocol.Wire;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// <c>promptCheck</c> in a real server process on each catalog: <c>warn</c> (the default) stores a quiet prompt and
/// answers, audits and lists its findings; a VDN switched to <c>refuse</c> at run time answers 0300004 for a clipped
/// prompt and keeps neither a copy nor a row, and what it stored before is untouched.
/// </summary>
public sealed class PromptCheckProcessTests : IDisposable
{
    private readonly ProcessBackEnd _backEnd = new("ccfs-prompt-check");

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Warn_then_refuse_at_upload(string catalog)
    {
        await using var server = await StartAsync(_backEnd.Apply([], catalog));
        var client = new SignedClient(server.Http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);
        var admin = new SignedClient(server.Http, new(CcfsFactory.AdminAccessKey, CcfsFactory.AdminSecretKey), TimeProvider.System);

        using var warned = await client.UploadAsync(Samples.Read("lint", "prompt-quiet.wav"));
        await CcfsAnswer.AssertTripleAsync(warned, "0", "success");
        var line = warned.Headers.GetValues(PromptCheckLine.HeaderName).Single();
        Assert.Equal("quiet", PromptCheckLine.TryParse(line)!.Verdict);
        var listed = await FilesAsync(admin);
        Assert.Equal(line, Assert.Single(listed).GetProperty("promptCheck").GetProperty("line").GetString());
        Assert.Equal(line, (await UploadAuditAsync(admin, "0")).GetProperty("detail").GetString());

        using var set = await admin.AdminAsync(HttpMethod.Put, $"/admin/api/parameters/vdns/{CcfsFactory.Vdn}", new { promptCheck = "refuse" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var folder = Path.Combine(_backEnd.DataDir, "locations", "0", "3rdfile", CcfsFactory.Vdn.ToString(CultureInfo.InvariantCulture), "thirdvoicebotfile");
        var before = Directory.GetFiles(folder);

        using var refused = await client.UploadAsync(Samples.Read("lint", "prompt-clipped.wav"));

        await CcfsAnswer.AssertTripleAsync(refused, "0300004", "The format of data is incorrect.");
        Assert.Contains("clipping: ", refused.Headers.GetValues("X-Ccfs-Reason").Single(), StringComparison.Ordinal);
        Assert.Contains("clipping", PromptCheckLine.TryParse(refused.Headers.GetValues(PromptCheckLine.HeaderName).Single())!.Failed);
        Assert.Equal(before, Directory.GetFiles(folder));
        Assert.Equal(listed.Select(f => f.GetProperty("fileName").GetString()), (await FilesAsync(admin)).Select(f => f.GetProperty("fileName").GetString()));
        Assert.Contains("verdict=", (await UploadAuditAsync(admin, "0300004")).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _backEnd.Dispose();

    private static async Task<List<JsonElement>> FilesAsync(SignedClient admin)
    {
        using var listed = await admin.AdminAsync(HttpMethod.Get, $"/admin/api/vdns/{CcfsFactory.Vdn}/files");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        return [.. JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.GetProperty("files").EnumerateArray()];
    }

    /// <summary>The newest uploadFile audit entry answered <paramref name="resultCode"/>, once the audit trail wrote it.</summary>
    private static async Task<JsonElement> UploadAuditAsync(SignedClient admin, string resultCode)
    {
        for (var i = 0; i < 200; i++)
        {
            using var audit = await admin.AdminAsync(HttpMethod.Get, "/admin/api/audit?interface=uploadFile&limit=1");
            var entries = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.GetProperty("entries");
            if (entries.GetArrayLength() > 0 && entries[0].GetProperty("resultCode").GetString() == resultCode)
            {
                return entries[0];
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"no uploadFile audit entry answered {resultCode} within 10 s");
    }

    private async Task<Running> StartAsync(Dictionary<string, string> settings)
    {
        var endpoint = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var process = ServerProcess.Start(new Dictionary<string, string>(settings)
        {
        }.WithTestAccounts(admin: true, CcfsFactory.Vdn), "--urls", endpoint);
        var http = new HttpClient { BaseAddress = new Uri(endpoint), Timeout = TimeSpan.FromSeconds(60) };
        await process.WaitUntilHealthyAsync(http);
        return new Running(process, http);
    }

    private sealed record Running(ServerProcess Process, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Process.DisposeAsync();
        }
    }
}
