using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Retention against a real server on SQLite, with a short <c>retainFor</c> and sweep interval: the server is killed
/// (SIGKILL) in the middle of a sweep and restarted; the sweep resumes, and every expired file is gone from the location
/// and the catalog with exactly one <c>ccfs.file.expired</c> event, while pinned and young files and another VDN's stay.
/// </summary>
[Trait("Catalog", "Sqlite")]
public sealed class RetentionProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int OtherVdn = 55;
    private const int Expiring = 30;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-retention", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_sweep_killed_midway_resumes_and_deletes_exactly_the_expired_files()
    {
        var expiring = new List<string>();
        var kept = new List<string>();
        await using (var server = Start(out var http))
        {
            using (http)
            {
                await server.WaitUntilHealthyAsync(http);
                var admin = Admin(http);
                using (var set = await admin.AdminAsync(HttpMethod.Put, $"/admin/api/parameters/vdns/{CcfsFactory.Vdn}", new { retainFor = "00:00:15" }))
                {
                    Assert.Equal(HttpStatusCode.OK, set.StatusCode);
                }

                var client = Client(http);
                for (var i = 0; i < Expiring; i++)
                {
                    expiring.Add(await client.StoreAsync(Samples.Sine));
                }

                var pinned = await client.StoreAsync(Samples.Sine);
                using (var pin = await admin.SendAsync(HttpMethod.Post, "/admin/api/files/pin?fileName=" + Uri.EscapeDataString(pinned)))
                {
                    Assert.Equal(HttpStatusCode.OK, pin.StatusCode);
                }

                kept.Add(pinned);
                kept.Add(await client.StoreAsync(Samples.Sine, OtherVdn));

                // The sweep starts once they are 15 s old and deletes 4 a second: kill it a few files in.
                await WaitUntilAsync(() => expiring.Count(Exists) <= Expiring - 3, TimeSpan.FromSeconds(90), "the sweep to begin");
                await server.KillAsync();
                output.WriteLine($"killed with {expiring.Count(Exists)} of {Expiring} expired files left");
                Assert.True(expiring.Count(Exists) > 0, "the sweep finished before the kill");
            }
        }

        await using (var server = Start(out var http))
        {
            using (http)
            {
                await server.WaitUntilHealthyAsync(http);
                kept.Add(await Client(http).StoreAsync(Samples.Sine));
                await WaitUntilAsync(() => !expiring.Any(Exists), TimeSpan.FromSeconds(90), "the resumed sweep to finish");

                Assert.All(kept, name => Assert.True(Exists(name), name));
                var admin = Admin(http);
                using var files = await admin.SendAsync(HttpMethod.Get, $"/admin/api/vdns/{CcfsFactory.Vdn}/files");
                var listed = JsonDocument.Parse(await files.Content.ReadAsStringAsync()).RootElement.GetProperty("files").EnumerateArray()
                    .Select(f => f.GetProperty("fileName").GetString()).ToList();
                Assert.Equal(kept.Where(k => k.Contains($"/{CcfsFactory.Vdn}/", StringComparison.Ordinal)).Order(), listed.Order());
                using var feed = await admin.SendAsync(HttpMethod.Get, $"/admin/api/events?vdnId={CcfsFactory.Vdn}&after=0&limit=1000");
                var expired = JsonDocument.Parse(await feed.Content.ReadAsStringAsync()).RootElement.GetProperty("events").EnumerateArray()
                    .Where(e => e.GetProperty("type").GetString() == "ccfs.file.expired").Select(e => e.GetProperty("subject").GetString()).ToList();
                Assert.Equal(expiring.Order(), expired.Order());
            }
        }
    }

    private bool Exists(string fileName) => File.Exists(Path.Combine(_dataDir, "locations", "0", fileName[3..]));

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {timeout} for {what}");
            await Task.Delay(50);
        }
    }

    private static SignedClient Client(HttpClient http) => new(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);

    private static SignedClient Admin(HttpClient http) => new(http, new(CcfsFactory.AdminAccessKey, CcfsFactory.AdminSecretKey), TimeProvider.System);

    private ServerProcess Start(out HttpClient http)
    {
        var port = ServerProcess.FreePort();
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        return ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Ccfs__Catalog__RecoveryInterval"] = "00:00:01",
            ["Ccfs__Retention__SweepInterval"] = "00:00:01",
            ["Ccfs__Retention__DeletesPerSecond"] = "4",
            ["Ccfs__Accounts__0__AccessKey"] = CcfsFactory.AccessKey,
            ["Ccfs__Accounts__0__SecretKey"] = CcfsFactory.SecretKey,
            ["Ccfs__Accounts__0__VdnIds__0"] = CcfsFactory.Vdn.ToString(CultureInfo.InvariantCulture),
            ["Ccfs__Accounts__0__VdnIds__1"] = OtherVdn.ToString(CultureInfo.InvariantCulture),
            ["Ccfs__Accounts__1__AccessKey"] = CcfsFactory.AdminAccessKey,
            ["Ccfs__Accounts__1__SecretKey"] = CcfsFactory.AdminSecretKey,
            ["Ccfs__Accounts__1__VdnIds__0"] = "1",
            ["Ccfs__Accounts__1__Admin"] = "true",
        }, "--urls", $"http://127.0.0.1:{port}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
