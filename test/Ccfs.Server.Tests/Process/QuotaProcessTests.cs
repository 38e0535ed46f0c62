using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Quotas against a real server process, on the SQLite catalog and on PostgreSQL: concurrent uploads store exactly what
/// fits, a bytes quota fills to the byte, and a server killed (SIGKILL) while uploads race for the last units leaks no
/// reservation: once restarted and recovered, the usage the quota counts is exactly the files stored.
/// </summary>
public sealed class QuotaProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly int SineBytes = Samples.Sine.Length;
    private readonly ProcessBackEnd _backEnd = new("ccfs-quota");

    public static TheoryData<string> Catalogs => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Catalogs))]
    public async Task Sixty_four_concurrent_uploads_with_room_for_ten_store_exactly_ten(string catalog)
    {
        await using var server = Start(catalog, new() { ["Ccfs__Parameters__QuotaFiles"] = "10" }, out var http);
        using (http)
        {
            await server.WaitUntilHealthyAsync(http);
            var codes = await UploadAllAsync(Client(http), 64);

            Assert.Equal(10, codes.Count(c => c == "0"));
            Assert.Equal(54, codes.Count(c => c == "0300003"));
            var (stored, quota) = await VdnAsync(http);
            Assert.Equal(10, stored.Files);
            Assert.Equal((10L, 10L * SineBytes), (quota.GetProperty("usedFiles").GetInt64(), quota.GetProperty("usedBytes").GetInt64()));
            Assert.Equal(10, WavesOnDisk());
        }
    }

    [Theory]
    [MemberData(nameof(Catalogs))]
    public async Task A_bytes_quota_fills_to_the_byte(string catalog)
    {
        var quotaBytes = 5L * SineBytes;
        var quotaMb = ((decimal)quotaBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture);
        await using var server = Start(catalog, new() { ["Ccfs__Parameters__QuotaMb"] = quotaMb }, out var http);
        using (http)
        {
            await server.WaitUntilHealthyAsync(http);
            var codes = await UploadAllAsync(Client(http), 16);

            Assert.Equal(5, codes.Count(c => c == "0"));
            Assert.Equal(11, codes.Count(c => c == "0300003"));
            var (stored, quota) = await VdnAsync(http);
            Assert.Equal(quotaBytes, stored.Bytes);
            Assert.Equal(quotaBytes, quota.GetProperty("usedBytes").GetInt64());
            Assert.Equal(quotaBytes, quota.GetProperty("quotaBytes").GetInt64());
            Assert.Equal(100, quota.GetProperty("percentUsed").GetDouble());
        }
    }

    [Theory]
    [MemberData(nameof(Catalogs))]
    public async Task Killed_during_uploads_against_a_nearly_full_quota_leaks_nothing_once_restarted(string catalog)
    {
        const int Quota = 40;
        var settings = new Dictionary<string, string> { ["Ccfs__Parameters__QuotaFiles"] = Quota.ToString(CultureInfo.InvariantCulture) };
        var acknowledged = new ConcurrentBag<string>();
        await using (var server = Start(catalog, settings, out var http))
        {
            using (http)
            {
                await server.WaitUntilHealthyAsync(http);
                var client = Client(http);
                for (var i = 0; i < Quota - 8; i++)
                {
                    acknowledged.Add(await client.StoreAsync(Samples.Sine));
                }

                // Eight uploaders race for the last eight units (and on, refused) while the server is killed under them.
                using var stop = new CancellationTokenSource();
                var uploaders = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        try
                        {
                            using var answer = await client.UploadAsync(Samples.Sine);
                            var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
                            if (body.GetProperty("resultCode").GetString() == "0")
                            {
                                acknowledged.Add(body.GetProperty("resultData").GetProperty("fileName").GetString()!);
                            }
                        }
                        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                        {
                            return;
                        }
                    }
                })).ToList();
                await Task.Delay(TimeSpan.FromMilliseconds(150));
                await server.KillAsync();
                stop.Cancel();
                await Task.WhenAll(uploaders);
            }
        }

        output.WriteLine($"{acknowledged.Count} uploads acknowledged before the kill");
        await using (var server = Start(catalog, settings, out var http))
        {
            using (http)
            {
                await server.WaitUntilHealthyAsync(http);
                // Recovery finishes what the killed process left (on PostgreSQL once its lease ran out): then the
                // usage is exactly the stored files, and every acknowledged upload is one of them.
                var (stored, quota) = await WaitAsync(http, (s, q) => q.GetProperty("usedFiles").GetInt64() == s.Files);
                Assert.Equal(stored.Bytes, quota.GetProperty("usedBytes").GetInt64());
                Assert.Equal(stored.Bytes, stored.Files * SineBytes);
                Assert.InRange(stored.Files, acknowledged.Count, Quota);
                Assert.Equal(stored.Files, WavesOnDisk());

                // What is free is exactly what the quota says: the rest fills it, and no more.
                var codes = await UploadAllAsync(Client(http), Quota - (int)stored.Files + 4);
                Assert.Equal(Quota - stored.Files, codes.Count(c => c == "0"));
                Assert.Equal(Quota, (await VdnAsync(http)).Stored.Files);
            }
        }
    }

    private static SignedClient Client(HttpClient http) => new(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);

    private static async Task<string?[]> UploadAllAsync(SignedClient client, int count) => await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
    {
        using var answer = await client.UploadAsync(Samples.Sine);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("resultCode").GetString();
    }));

    private static async Task<((long Files, long Bytes) Stored, JsonElement Quota)> VdnAsync(HttpClient http)
    {
        var admin = new SignedClient(http, new(CcfsFactory.AdminAccessKey, CcfsFactory.AdminSecretKey), TimeProvider.System);
        using var response = await admin.SendAsync(HttpMethod.Get, "/admin/api/vdns");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var vdn = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("vdns").EnumerateArray()
            .Single(v => v.GetProperty("vdnId").GetInt32() == CcfsFactory.Vdn).Clone();
        return ((vdn.GetProperty("files").GetInt64(), vdn.GetProperty("bytes").GetInt64()), vdn.GetProperty("quota"));
    }

    private static async Task<((long Files, long Bytes) Stored, JsonElement Quota)> WaitAsync(HttpClient http,
        Func<(long Files, long Bytes), JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var (stored, quota) = await VdnAsync(http);
            if (done(stored, quota) || DateTime.UtcNow > deadline)
            {
                return (stored, quota);
            }

            await Task.Delay(200);
        }
    }

    private long WavesOnDisk()
    {
        var root = Path.Combine(_backEnd.DataDir, "locations", "0");
        return Directory.Exists(root) ? Directory.EnumerateFiles(root, "*.wav", SearchOption.AllDirectories).LongCount() : 0;
    }

    private ServerProcess Start(string catalog, Dictionary<string, string> settings, out HttpClient http)
    {
        var port = ServerProcess.FreePort();
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        var environment = new Dictionary<string, string>(settings)
        {
            ["Ccfs__Catalog__RecoveryInterval"] = "00:00:01",
            ["Ccfs__Node__LeaseDuration"] = "00:00:03",
            ["Ccfs__Limits__MaxConcurrentUploads"] = "64",
        }.WithTestAccounts(admin: true, CcfsFactory.Vdn);
        return ServerProcess.Start(_backEnd.Apply(environment, catalog), "--urls", $"http://127.0.0.1:{port}");
    }

    public void Dispose() => _backEnd.Dispose();
}
