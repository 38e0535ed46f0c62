using System.Globalization;
using System.Text.RegularExpressions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Someone who knows an access key tries to stop every upload, against the real server on raw sockets: bodies trickled
/// too slowly to ever finish, requests that send their headers and stop, headers that can never be valid. The server
/// drops the trickle, bounds the wait for a slot, refuses the hopeless at once, and serves an honest client on the same
/// address afterwards.
/// </summary>
public sealed partial class HostileClientProcessTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-hostile", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_body_trickled_below_the_minimum_rate_is_dropped_and_frees_its_slot()
    {
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Limits__MaxConcurrentUploads"] = "1",
            ["Ccfs__Limits__UploadQueueLength"] = "0",
            ["Ccfs__Limits__MinRequestBodyRate"] = "1000",
            ["Ccfs__Limits__MinRequestBodyRateGracePeriod"] = "00:00:02",
        });
        using var trickle = await RawHttp.ConnectAsync(server.Port);
        await trickle.SendAsync(RawHttp.UploadHead(server.Port, 7_400_000));
        using var stopTrickling = new CancellationTokenSource();
        var trickling = TrickleAsync(trickle, bytesPerSecond: 300, stopTrickling.Token);
        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_uploads_in_flight", 1);

        // While it holds the only slot, a hopeless header (a timestamp from 2001) is refused at once, not queued.
        using (var stale = await RawHttp.ConnectAsync(server.Port))
        {
            await stale.SendAsync(RawHttp.UploadHead(server.Port, 7_400_000, signedAt: new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.True(await stale.ReadUntilClosedAsync(Bound), "the stale header was not answered");
            Assert.StartsWith("HTTP/1.1 401 ", stale.Received, StringComparison.Ordinal);
        }

        var dropped = await trickle.ReadUntilClosedAsync(Bound);
        await stopTrickling.CancelAsync();
        await trickling;

        Assert.True(dropped, "the trickle was not dropped:\n" + trickle.Received);
        // The answer says why, unless the reset of a connection closed with the client's bytes unread overtook it.
        if (trickle.Received.Length > 0)
        {
            Assert.StartsWith("HTTP/1.1 200 ", trickle.Received, StringComparison.Ordinal);
            Assert.Contains("\r\nX-Ccfs-Reason: the request body arrived slower than 1000 bytes/s\r\n", trickle.Received, StringComparison.Ordinal);
            Assert.EndsWith("\"resultCode\":\"0300007\",\"resultDesc\":\"The params of requestBody is null.\",\"resultData\":\"\"}", trickle.Received,
                StringComparison.Ordinal);
        }

        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_request_bodies_too_slow_total", 1);
        await WaitForOutputAsync(server, "Dropped a request from 127.0.0.1: its body arrived slower than 1000 bytes/s");
        await CcfsAnswer.AssertTripleAsync(await server.Client.UploadAsync(Samples.Sine), "0", "success");
        Assert.Single(StoredFiles());
    }

    [Fact]
    public async Task Over_http2_a_trickled_body_is_dropped_too()
    {
        var port = ServerProcess.FreePort();
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Limits__MaxConcurrentUploads"] = "1",
            ["Ccfs__Limits__UploadQueueLength"] = "0",
            ["Ccfs__Limits__MinRequestBodyRate"] = "1000",
            // Long enough for the test to see the slot taken before the trickle is dropped, even on a loaded machine.
            ["Ccfs__Limits__MinRequestBodyRateGracePeriod"] = "00:00:06",
        }, port, https: true);
        var head = RawHttp.UploadHead(port, 100_000);
        var authorization = head.Split("\r\n").Single(l => l.StartsWith("Authorization: ", StringComparison.Ordinal))["Authorization: ".Length..];
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/CCFS/resource/ccfs/ivr/uploadFile?vdnId={CcfsFactory.Vdn}")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new TrickleContent(bytesPerSecond: 300),
        };
        request.Content.Headers.ContentLength = 100_000;
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        // Kestrel enforces the rate of HTTP/2 bodies per connection: it aborts the trickling client's connection, so the
        // client gets no answer, only the end of the exchange.
        var sending = server.Client.Http.SendAsync(request);
        double inFlight;
        for (var i = 0; (inFlight = await ProcessMetrics.ValueAsync(server.Client.Http, "ccfs_uploads_in_flight")) != 1 && i < 300; i++)
        {
            // An exchange that ends before its slot is seen failed for another reason: say which.
            if (sending.IsCompleted)
            {
                var outcome = await Record.ExceptionAsync(() => sending) is { } failure ? failure.ToString()
                    : $"HTTP {(int)(await sending).StatusCode}: {await (await sending).Content.ReadAsStringAsync()}";
                Assert.Fail($"the trickle ended before it was seen holding the slot: {outcome}\n{server.Process.Output}");
            }

            await Task.Delay(100);
        }

        if (inFlight != 1)
        {
            Assert.Fail($"the trickle was never seen holding the slot in 30 s (in flight {inFlight}, queued "
                + $"{await ProcessMetrics.ValueAsync(server.Client.Http, "ccfs_uploads_queued")}, exchange ended: {sending.IsCompleted})\n{server.Process.Output}");
        }

        var ended = await Record.ExceptionAsync(() => sending.WaitAsync(Bound));

        Assert.True(ended is HttpRequestException or IOException or TaskCanceledException, $"the trickle was not dropped: {ended}");
        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_uploads_in_flight", 0);
        await CcfsAnswer.AssertTripleAsync(await server.Client.UploadAsync(Samples.Sine), "0", "success");
        Assert.Single(StoredFiles());
    }

    [Fact]
    public async Task Requests_that_send_headers_and_stop_wait_a_bounded_time_for_a_slot_then_are_0300503()
    {
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Limits__MaxConcurrentUploads"] = "2",
            ["Ccfs__Limits__UploadQueueLength"] = "3",
            ["Ccfs__Limits__UploadQueueTimeout"] = "00:00:02",
            // One address may take every slot and queue place here: this is about the bounds themselves (shares: StrangerProcessTests).
            ["Ccfs__Limits__UnverifiedShare"] = "1",
            ["Ccfs__Limits__MinRequestBodyRate"] = "1000",
            ["Ccfs__Limits__MinRequestBodyRateGracePeriod"] = "00:01:00",
        });
        var holders = await SendHeadOnlyAsync(server, 2);
        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_uploads_in_flight", 2);

        var queued = await SendHeadOnlyAsync(server, 3);
        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_uploads_queued", 3);
        using (var overflow = await RawHttp.ConnectAsync(server.Port))
        {
            await overflow.SendAsync(RawHttp.UploadHead(server.Port, 100_000));
            Assert.True(await overflow.ReadUntilClosedAsync(Bound), "the request past the queue was not answered");
            AssertUnavailable(overflow.Received, "too many uploads are in progress");
        }

        foreach (var request in queued)
        {
            Assert.True(await request.ReadUntilClosedAsync(Bound), "a queued request was never answered");
            AssertUnavailable(request.Received, "no upload slot came free within 2 s");
            request.Dispose();
        }

        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_uploads_queued", 0);
        Assert.Equal(1, await ProcessMetrics.ValueAsync(server.Client.Http, "ccfs_upload_slot_refusals_total{reason=\"queue_full\"}"));
        Assert.Equal(3, await ProcessMetrics.ValueAsync(server.Client.Http, "ccfs_upload_slot_refusals_total{reason=\"queue_timeout\"}"));
        holders.ForEach(h => h.Dispose());
        Assert.Empty(StoredFiles());
    }

    [Fact]
    public async Task After_a_flood_of_hopeless_headers_the_honest_client_on_the_same_address_is_served()
    {
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Auth__IpLock__MaxFailures"] = "5",
            ["Ccfs__Limits__MaxConcurrentUploads"] = "2",
        });

        // Headers that prove nothing about anyone's keys never lock the address they come from (a NAT, a proxy): an
        // unknown key and a body that never comes do (StrangerProcessTests).
        var hopeless = new List<RawHttp>();
        foreach (var head in new[]
        {
            RawHttp.UploadHead(server.Port, 7_400_000, authorization: false),
            RawHttp.UploadHead(server.Port, 7_400_000, signedAt: new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        })
        {
            for (var i = 0; i < 15; i++)
            {
                var request = await RawHttp.ConnectAsync(server.Port);
                await request.SendAsync(head);
                hopeless.Add(request);
            }
        }

        foreach (var request in hopeless)
        {
            Assert.True(await request.ReadAnswerHeadAsync(Bound), "a hopeless header was not answered");
            Assert.StartsWith("HTTP/1.1 401 ", request.Received, StringComparison.Ordinal);
            request.Dispose();
        }

        await CcfsAnswer.AssertTripleAsync(await server.Client.UploadAsync(Samples.Sine), "0", "success");
        Assert.Equal(0, await ProcessMetrics.ValueAsync(server.Client.Http, "ccfs_ip_locks_total"));
        Assert.Single(StoredFiles());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void AssertUnavailable(string answer, string reason)
    {
        Assert.StartsWith("HTTP/1.1 503 ", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nRetry-After: 5\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", answer, StringComparison.Ordinal);
        Assert.Contains($"\r\nX-Ccfs-Reason: {reason}\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("""{"resultCode":"0300503","resultDesc":"The service is temporarily unavailable, try again later.","resultData":""}""",
            answer, StringComparison.Ordinal);
    }

    /// <summary>Well-formed upload heads whose bodies never come.</summary>
    private static async Task<List<RawHttp>> SendHeadOnlyAsync(Running server, int count)
    {
        var requests = new List<RawHttp>();
        for (var i = 0; i < count; i++)
        {
            var request = await RawHttp.ConnectAsync(server.Port);
            await request.SendAsync(RawHttp.UploadHead(server.Port, 100_000));
            requests.Add(request);
        }

        return requests;
    }

    private static async Task TrickleAsync(RawHttp connection, int bytesPerSecond, CancellationToken stop)
    {
        var chunk = new byte[bytesPerSecond / 10];
        Array.Fill(chunk, (byte)'A');
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await connection.Stream.WriteAsync(chunk, stop);
                await Task.Delay(100, stop);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private IEnumerable<string> StoredFiles() => Directory.Exists(Path.Combine(_dataDir, "locations"))
        ? Directory.EnumerateFiles(Path.Combine(_dataDir, "locations"), "*.wav", SearchOption.AllDirectories)
        : [];



    private static async Task WaitForOutputAsync(Running server, string text)
    {
        for (var i = 0; i < 300 && !server.Process.Output.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(text, server.Process.Output, StringComparison.Ordinal);
    }

    private async Task<Running> StartAsync(Dictionary<string, string> settings, int? port = null, bool https = false)
    {
        var listening = port ?? ServerProcess.FreePort();
        var endpoint = $"{(https ? "https" : "http")}://127.0.0.1:{listening}";
        var process = ServerProcess.Start(new Dictionary<string, string>(settings)
        {
            ["Ccfs__DataDir"] = _dataDir,
        }.WithTestAccounts(admin: false, CcfsFactory.Vdn), "--urls", endpoint);
        var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        {
            BaseAddress = new Uri(endpoint),
        };
        await process.WaitUntilHealthyAsync(http);
        return new Running(process, new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System), listening);
    }

    /// <summary>
    /// A body sent at <paramref name="bytesPerSecond"/> until the server ends the exchange. Each piece is flushed: over
    /// HTTP/2 HttpClient keeps request headers and body data in its connection's write buffer until something flushes
    /// it, so a trickle from a StreamContent could sit unsent until the buffer filled (CI saw the request reach the
    /// server only 30 s later, when another request on the connection flushed it).
    /// </summary>
    private sealed class TrickleContent(int bytesPerSecond) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var piece = new byte[bytesPerSecond / 10];
            Array.Fill(piece, (byte)'A');
            while (true)
            {
                await stream.WriteAsync(piece);
                await stream.FlushAsync();
                await Task.Delay(100);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    private sealed record Running(ServerProcess Process, SignedClient Client, int Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Http.Dispose();
            await Process.DisposeAsync();
        }
    }
}
