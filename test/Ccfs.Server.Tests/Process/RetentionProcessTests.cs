using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Retention against a real server on SQLite and on PostgreSQL, with a short <c>retainFor</c> and sweep interval: the
/// server is killed (SIGKILL) in the middle of a sweep and restarted; the sweep resumes, and every expired file is gone
/// from the location, prompts from the catalog with exactly one <c>ccfs.file.expired</c> event each, recordings the IVR
/// wrote (no catalog row, aged by their mtime) with none, while pinned and young files, another VDN's and files outside
/// the rule folders stay.
/// </summary>
public sealed class RetentionProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int OtherVdn = 55;
    private const int Expiring = 20;
    private const int ExpiringRecordings = 12;
    private readonly ProcessBackEnd _backEnd = new("ccfs-retention");

    public static TheoryData<string> Catalogs => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Catalogs))]
    public async Task A_sweep_killed_midway_resumes_and_deletes_exactly_the_expired_files(string catalog)
    {
        var expiring = new List<string>();
        var kept = new List<string>();
        var old = DateTime.UtcNow - TimeSpan.FromHours(1);
        var recordings = Enumerable.Range(0, ExpiringRecordings)
            .Select(i => $"Y:/voice/{CcfsFactory.Vdn}/IVRrecordFile/20261201/{i % 3}/{i:D6}-record.wav").ToList();
        recordings.ForEach(r => PlaceRecording(r, old));
        var pinnedRecording = $"Y:/voice/{CcfsFactory.Vdn}/IVRrecordFile/20261201/pinned-record.wav";
        PlaceRecording(pinnedRecording, old);
        // Young for the whole test: written, as far as the server can tell, tomorrow.
        var keptRecordings = new List<string> { pinnedRecording, $"Y:/voice/{CcfsFactory.Vdn}/IVRrecordFile/20261201/young-record.wav",
            $"Y:/voice/{OtherVdn}/IVRrecordFile/20261201/000001-record.wav", $"Y:/voice/{CcfsFactory.Vdn}/elsewhere/000001-record.wav" };
        PlaceRecording(keptRecordings[1], DateTime.UtcNow + TimeSpan.FromDays(1));
        keptRecordings.Skip(2).ToList().ForEach(r => PlaceRecording(r, old));
        await using (var server = Start(catalog, out var http))
        {
            using (http)
            {
                await server.WaitUntilHealthyAsync(http);
                var admin = Admin(http);
                var client = Client(http);
                for (var i = 0; i < Expiring; i++)
                {
                    expiring.Add(await client.StoreAsync(Samples.Sine));
                }

                var pinned = await client.StoreAsync(Samples.Sine);
                foreach (var name in new[] { pinned, pinnedRecording })
                {
                    using var pin = await admin.SendAsync(HttpMethod.Post, "/admin/api/files/pin?fileName=" + Uri.EscapeDataString(name));
                    Assert.Equal(HttpStatusCode.OK, pin.StatusCode);
                }

                kept.Add(pinned);
                kept.Add(await client.StoreAsync(Samples.Sine, OtherVdn));
                using (var set = await admin.AdminAsync(HttpMethod.Put, $"/admin/api/parameters/vdns/{CcfsFactory.Vdn}", new { retainFor = "00:00:15" }))
                {
                    Assert.Equal(HttpStatusCode.OK, set.StatusCode);
                }

                expiring.AddRange(recordings);

                // The recordings are expired at once, the prompts once they are 15 s old; 8 go a second: kill it a few files in.
                await WaitUntilAsync(() => expiring.Count(Exists) <= expiring.Count - 3, TimeSpan.FromSeconds(90), "the sweep to begin");
                await server.KillAsync();
                output.WriteLine($"killed with {expiring.Count(Exists)} of {expiring.Count} expired files left");
                Assert.True(expiring.Count(Exists) > 0, "the sweep finished before the kill");
            }
        }

        await using (var server = Start(catalog, out var http))
        {
            using (http)
            {
                await server.WaitUntilHealthyAsync(http);
                // No prompt is uploaded now to stay young: with a 15 s retainFor its youth would hang on how fast a loaded
                // machine checks (the functional tests show young prompts stay, on a clock they move).
                await WaitUntilAsync(() => !expiring.Any(Exists), TimeSpan.FromSeconds(90), "the resumed sweep to finish");

                Assert.All(kept.Concat(keptRecordings), name => Assert.True(Exists(name), name));
                var admin = Admin(http);
                using var files = await admin.SendAsync(HttpMethod.Get, $"/admin/api/vdns/{CcfsFactory.Vdn}/files");
                var listed = JsonDocument.Parse(await files.Content.ReadAsStringAsync()).RootElement.GetProperty("files").EnumerateArray()
                    .Select(f => f.GetProperty("fileName").GetString()).ToList();
                Assert.Equal(kept.Where(k => k.Contains($"/{CcfsFactory.Vdn}/", StringComparison.Ordinal)).Order(), listed.Order());
                using var feed = await admin.SendAsync(HttpMethod.Get, $"/admin/api/events?vdnId={CcfsFactory.Vdn}&after=0&limit=1000");
                var expired = JsonDocument.Parse(await feed.Content.ReadAsStringAsync()).RootElement.GetProperty("events").EnumerateArray()
                    .Where(e => e.GetProperty("type").GetString() == "ccfs.file.expired").Select(e => e.GetProperty("subject").GetString()).ToList();
                Assert.Equal(expiring.Except(recordings).Order(), expired.Order());
            }
        }
    }

    private bool Exists(string fileName) => File.Exists(Location(fileName));

    private string Location(string fileName) => Path.Combine(_backEnd.DataDir, "locations", "0", fileName[3..]);

    /// <summary>Writes a recording into the location as the IVR does, with no catalog row, last modified at <paramref name="modified"/>.</summary>
    private void PlaceRecording(string fileName, DateTime modified)
    {
        var path = Location(fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Samples.Sine);
        File.SetLastWriteTimeUtc(path, modified);
    }

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

    private ServerProcess Start(string catalog, out HttpClient http)
    {
        var port = ServerProcess.FreePort();
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var environment = new Dictionary<string, string>
        {
            // The killed instance's claim passes on this soon on PostgreSQL (on SQLite, at the restart).
            ["Ccfs__Node__LeaseDuration"] = "00:00:03",
            ["Ccfs__Catalog__RecoveryInterval"] = "00:00:01",
            ["Ccfs__Retention__SweepInterval"] = "00:00:01",
            ["Ccfs__Retention__DeletesPerSecond"] = "8",
        }.WithTestAccounts(admin: true, CcfsFactory.Vdn, OtherVdn);
        return ServerProcess.Start(_backEnd.Apply(environment, catalog), "--urls", $"http://127.0.0.1:{port}");
    }

    public void Dispose() => _backEnd.Dispose();
}
