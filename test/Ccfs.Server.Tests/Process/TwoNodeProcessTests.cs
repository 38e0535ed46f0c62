using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Two real server processes behind haproxy (deploy/haproxy.cfg), sharing a PostgreSQL catalog and an S3 location in
/// Ceph RGW: a file is served by whichever node a request reaches, a change made on one node is obeyed by the other,
/// no acknowledged upload is lost when a node is killed or restarted while uploads run, and an admin request replayed
/// to the other node is refused.
/// </summary>
[Trait("Catalog", "Postgres")]
public sealed class TwoNodeProcessTests(TwoNodeCluster cluster, ITestOutputHelper output) : IClassFixture<TwoNodeCluster>, IAsyncLifetime
{
    public Task InitializeAsync() => cluster.EnsureRunningAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_file_uploaded_through_one_node_is_hashed_downloaded_and_deleted_through_the_other_and_through_haproxy()
    {
        var (a, b) = (TwoNodeCluster.Signed(cluster.A.Http), TwoNodeCluster.Signed(cluster.B.Http));
        var wav = Samples.ALawOfSize(60_000);

        var fileName = await a.StoreAsync(wav);

        Assert.Equal(wav, await cluster.Bucket.GetAsync(TwoNodeCluster.ObjectKey(fileName)));
        await AssertHashAsync(b, fileName, wav);
        using (var download = await b.DownloadAsync(fileName))
        {
            Assert.Equal(wav, await download.Content.ReadAsByteArrayAsync());
        }

        await CcfsAnswer.AssertTripleAsync(await b.DeleteAsync(fileName), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await a.HashAsync(fileName), "0300011", "The file does not exist.");
        Assert.Null(await cluster.Bucket.GetAsync(TwoNodeCluster.ObjectKey(fileName)));

        // Through haproxy, each request goes to the next node in turn: upload, hash, download and delete alternate.
        var balanced = TwoNodeCluster.Signed(cluster.Balancer);
        for (var i = 0; i < 3; i++)
        {
            var sample = Samples.ALawOfSize(20_000 + i);
            var name = await balanced.StoreAsync(sample);
            await AssertHashAsync(balanced, name, sample);
            using (var download = await balanced.DownloadAsync(name))
            {
                Assert.Equal(sample, await download.Content.ReadAsByteArrayAsync());
            }

            await CcfsAnswer.AssertTripleAsync(await balanced.DeleteAsync(name), "0", "success");
            await CcfsAnswer.AssertTripleAsync(await balanced.HashAsync(name), "0300011", "The file does not exist.");
        }

        Assert.DoesNotContain(await cluster.FileRowsAsync(), r => r.Path == fileName[2..]);
    }

    [Fact]
    public async Task An_account_and_a_parameter_changed_on_one_node_are_obeyed_by_the_other()
    {

        using var created = await TwoNodeCluster.Admin(cluster.A.Http).AdminAsync(HttpMethod.Post, "/admin/api/accounts", new { vdnIds = new[] { 77 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var account = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var newAccount = new SignedClient(cluster.B.Http, new(account.GetProperty("account").GetProperty("accessKey").GetString()!,
            account.GetProperty("secretKey").GetString()!), TimeProvider.System);
        var seen = await EventuallyAsync(async () =>
        {
            using var upload = await newAccount.UploadAsync(Samples.Sine, 77);
            return (await upload.Content.ReadAsStringAsync()).Contains("\"resultCode\":\"0\"", StringComparison.Ordinal);
        });
        output.WriteLine($"node B accepted the account created on node A after {seen.TotalMilliseconds:F0} ms");

        // Node B takes a 100 KB upload while the default limit (5 MB) holds, then refuses it once node A set 0.05 MB.
        var large = Samples.ALawOfSize(100_000);
        await TwoNodeCluster.Signed(cluster.B.Http).StoreAsync(large);
        using var limited = await TwoNodeCluster.Admin(cluster.A.Http).AdminAsync(HttpMethod.Put, "/admin/api/parameters", new { uploadSizeLimitMb = 0.05m });
        Assert.Equal(HttpStatusCode.OK, limited.StatusCode);
        seen = await EventuallyAsync(async () =>
        {
            using var upload = await TwoNodeCluster.Signed(cluster.B.Http).UploadAsync(large);
            return (await upload.Content.ReadAsStringAsync()).Contains("\"resultCode\":\"0300003\"", StringComparison.Ordinal);
        });
        output.WriteLine($"node B applied the size limit set on node A after {seen.TotalMilliseconds:F0} ms");
        var rowsBefore = (await cluster.FileRowsAsync()).Count;
        await CcfsAnswer.AssertTripleAsync(await TwoNodeCluster.Signed(cluster.B.Http).UploadAsync(large), "0300003",
            "The length of data is too long.");
        Assert.Equal(rowsBefore, (await cluster.FileRowsAsync()).Count);

        using var restored = await TwoNodeCluster.Admin(cluster.A.Http).AdminAsync(HttpMethod.Put, "/admin/api/parameters", new { uploadSizeLimitMb = 5 });
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        await EventuallyAsync(async () =>
        {
            using var upload = await TwoNodeCluster.Signed(cluster.B.Http).UploadAsync(large);
            return (await upload.Content.ReadAsStringAsync()).Contains("\"resultCode\":\"0\"", StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task An_admin_write_replayed_to_the_other_node_is_refused_and_creates_nothing()
    {
        // Signed for the balancer's host, as a client behind the NSLB signs; the balancer passes Host on unchanged, so the
        // very same request may reach either node.
        var admin = TwoNodeCluster.Admin(cluster.Balancer);
        var body = JsonSerializer.SerializeToUtf8Bytes(new { vdnIds = new[] { 78 }, description = "replayed" });
        var at = DateTimeOffset.UtcNow;
        HttpRequestMessage Request()
        {
            var request = admin.Build("/admin/api/accounts", body, new SignOptions { At = at }, HttpMethod.Post);
            request.Headers.Host = cluster.Balancer.BaseAddress!.Authority;
            return request;
        }

        using var created = await cluster.A.Http.SendAsync(Request());
        using var replayed = await cluster.B.Http.SendAsync(Request());

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("signature was accepted before", CcfsAnswer.Reason(replayed), StringComparison.Ordinal);
        using var accounts = await TwoNodeCluster.Admin(cluster.B.Http).AdminAsync(HttpMethod.Get, "/admin/api/accounts");
        var text = await accounts.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, accounts.StatusCode);
        Assert.Single(JsonDocument.Parse(text).RootElement.EnumerateArray(),
            a => a.GetProperty("vdnIds").EnumerateArray().Any(v => v.GetInt32() == 78));
    }

    [Fact]
    public async Task A_node_killed_while_uploads_run_through_haproxy_loses_nothing_acknowledged_and_leaves_nothing_pending()
    {
        var rowsBefore = await RowPathsAsync();
        var uploads = new Uploads();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(_ => uploads.RunAsync(TwoNodeCluster.Signed(cluster.Balancer), 150, stop.Token)).ToArray();

        await uploads.WaitForAsync(20, TimeSpan.FromSeconds(30));
        // Aim the kill (for at most 3 s) at a moment node B has an upload reserved but not stored, so recovery has work.
        var aim = DateTime.UtcNow.AddSeconds(3);
        while (DateTime.UtcNow < aim && await cluster.UnfinishedRowsOfAsync(cluster.B.Name) == 0)
        {
        }

        await cluster.B.StopAsync(kill: true);
        var atKill = uploads.Acknowledged.Count;
        var unfinishedAtKill = await cluster.UnfinishedRowsAsync();
        // haproxy sees node B's connections refused and sends the uploads to node A.
        await uploads.WaitForAsync(atKill + 20, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        output.WriteLine($"sent {uploads.Sent}, acknowledged {uploads.Acknowledged.Count} ({atKill} before the kill), "
            + $"unfinished rows right after the kill: {unfinishedAtKill}");

        // Node B's lease (3 s) runs out and node A's recovery (every second) finishes or undoes B's work.
        Assert.True(await cluster.WaitUntilNothingUnfinishedAsync(TimeSpan.FromSeconds(30)), "rows were left pending after node B's lease ran out");
        await AssertIntactAsync(cluster, uploads, TwoNodeCluster.Signed(cluster.A.Http), rowsBefore);

        await cluster.B.StartAsync();
        Assert.Equal(0, await cluster.UnfinishedRowsAsync());
        await AssertIntactAsync(cluster, uploads, TwoNodeCluster.Signed(cluster.B.Http), rowsBefore);
    }

    [Fact]
    public async Task A_node_restarted_repeatedly_while_the_other_uploads_loses_nothing_acknowledged()
    {
        var rowsBefore = await RowPathsAsync();
        var uploads = new Uploads();
        using var stop = new CancellationTokenSource();
        // One loop uploads to node A directly, one through haproxy, so node B has uploads in flight when it stops.
        var workers = new[]
        {
            uploads.RunAsync(TwoNodeCluster.Signed(cluster.A.Http), 1000, stop.Token, TimeSpan.FromMilliseconds(50)),
            uploads.RunAsync(TwoNodeCluster.Signed(cluster.Balancer), 1000, stop.Token, TimeSpan.FromMilliseconds(50)),
        };

        for (var restart = 0; restart < 4; restart++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            await uploads.WaitForAsync(uploads.Acknowledged.Count + 3, TimeSpan.FromSeconds(30));
            var kill = restart % 2 == 0;
            await cluster.B.StopAsync(kill);
            await uploads.WaitForAsync(uploads.Acknowledged.Count + 3, TimeSpan.FromSeconds(30));
            await cluster.B.StartAsync();
            output.WriteLine($"restart {restart + 1} ({(kill ? "SIGKILL" : "SIGTERM")}) took {started.Elapsed.TotalSeconds:F1} s");
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
        output.WriteLine($"sent {uploads.Sent}, acknowledged {uploads.Acknowledged.Count}");

        Assert.True(await cluster.WaitUntilNothingUnfinishedAsync(TimeSpan.FromSeconds(30)), "rows were left pending after the restarts");
        await AssertIntactAsync(cluster, uploads, TwoNodeCluster.Signed(cluster.B.Http), rowsBefore);
    }

    /// <summary>
    /// Every acknowledged upload has its row and its object, with the bytes sent, and <paramref name="node"/> hashes it
    /// right; every row has its object, no object lacks its row, and each row made since <paramref name="rowsBefore"/>
    /// (recovery's work too) has its object with the row's digest.
    /// </summary>
    private static async Task AssertIntactAsync(TwoNodeCluster cluster, Uploads uploads, SignedClient node, IReadOnlySet<string> rowsBefore)
    {
        var rows = await cluster.FileRowsAsync();
        Assert.All(rows, r => Assert.Equal(1, r.State));
        Assert.Equal(rows.Select(r => TwoNodeCluster.Prefix + r.Path[1..]).Order(StringComparer.Ordinal), await cluster.FileObjectsAsync());
        await Parallel.ForEachAsync(rows.Where(r => !rowsBefore.Contains(r.Path)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (row, _) =>
        {
            var bytes = await cluster.Bucket.GetAsync(TwoNodeCluster.Prefix + row.Path[1..]);
            Assert.Equal(row.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes!)));
        });

        var byPath = rows.ToDictionary(r => r.Path, r => r.Sha256);
        await Parallel.ForEachAsync(uploads.Acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (upload, _) =>
        {
            Assert.True(byPath.TryGetValue(upload.Key[2..], out var sha), $"{upload.Key} was acknowledged but has no row");
            Assert.Equal(upload.Value, sha);
            var hash = await CcfsAnswer.AssertTripleAsync(await node.HashAsync(upload.Key), "0", "success");
            Assert.Equal(upload.Value, hash.GetProperty("resultData").GetProperty("hash").GetString());
        });
    }

    private async Task<IReadOnlySet<string>> RowPathsAsync() => (await cluster.FileRowsAsync()).Select(r => r.Path).ToHashSet();

    private static async Task AssertHashAsync(SignedClient client, string fileName, byte[] wav)
    {
        var hash = await CcfsAnswer.AssertTripleAsync(await client.HashAsync(fileName), "0", "success");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wav)), hash.GetProperty("resultData").GetProperty("hash").GetString());
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms for at most 10 s; returns how long it took to hold.</summary>
    private static async Task<TimeSpan> EventuallyAsync(Func<Task<bool>> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return started.Elapsed;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the other node did not obey the change within 10 s");
        return started.Elapsed;
    }

    /// <summary>Uploads of distinct prompts in loops, and what each was answered.</summary>
    private sealed class Uploads
    {
        private int _sent;

        /// <summary>The SHA-256 of each upload answered resultCode 0, by the file name it got.</summary>
        public ConcurrentDictionary<string, string> Acknowledged { get; } = new();

        public int Sent => _sent;

        /// <param name="pause">A wait between uploads, so a long loop stays a modest load.</param>
        public async Task RunAsync(SignedClient client, int maxUploads, CancellationToken stop, TimeSpan pause = default)
        {
            for (var i = 0; i < maxUploads && !stop.IsCancellationRequested; i++)
            {
                await Task.Delay(pause, CancellationToken.None);
                var wav = Samples.ALawOfSize(16 * 1024 + Random.Shared.Next(4096));
                Interlocked.Increment(ref _sent);
                try
                {
                    using var response = await client.UploadAsync(wav);
                    var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK
                        && JsonDocument.Parse(text).RootElement is var json && json.GetProperty("resultCode").GetString() == "0")
                    {
                        Acknowledged[json.GetProperty("resultData").GetProperty("fileName").GetString()!] = Convert.ToHexStringLower(SHA256.HashData(wav));
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException)
                {
                    // A node killed mid-request: the upload was not acknowledged, so nothing is promised about it.
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        }

        /// <summary>Waits until <paramref name="count"/> uploads are acknowledged, failing after <paramref name="timeout"/>.</summary>
        public async Task WaitForAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Acknowledged.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"only {Acknowledged.Count} of {count} uploads were acknowledged within {timeout}");
                await Task.Delay(20);
            }
        }
    }
}
