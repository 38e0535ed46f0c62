using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Strangers who know an access key (keys travel in clear) against the real server: bodies that never come or trickle,
/// under a known key, from one address; HTTP/2 streams left silent beside a busy one; refusals sent as fast as a client
/// can. They hold at most their share of the slots, their unfinished bodies lock their address, and neither the log nor
/// the audit trail grows with their number. Honest clients on other addresses and keys are served meanwhile.
/// </summary>
public sealed partial class StrangerProcessTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly IPAddress Stranger = IPAddress.Loopback;
    private static readonly IPAddress Neighbour = IPAddress.Parse("127.0.0.2");
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-strangers", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Unverified_bodies_from_one_address_hold_only_their_share_and_another_tenant_is_served_meanwhile()
    {
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Limits__MaxConcurrentUploads"] = "4",
            ["Ccfs__Limits__UploadQueueLength"] = "8",
            ["Ccfs__Limits__UploadQueueTimeout"] = "00:00:02",
            ["Ccfs__Limits__MinRequestBodyRate"] = "1000",
            ["Ccfs__Limits__MinRequestBodyRateGracePeriod"] = "00:01:00",
        });

        // Four bodies that never come, under a known key, from one address: half of the four slots is its share.
        var stalled = new List<RawHttp>();
        for (var i = 0; i < 4; i++)
        {
            var request = await RawHttp.ConnectAsync(server.Port, Stranger);
            await request.SendAsync(RawHttp.UploadHead(server.Port, 7_400_000));
            stalled.Add(request);
        }

        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_uploads_in_flight", 2);
        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_uploads_queued", 2);

        // Another tenant, from another address, uploads at once; so does the stranger's own honest neighbour key.
        var neighbour = Client(server, Neighbour, CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey);
        await CcfsAnswer.AssertTripleAsync(await neighbour.UploadAsync(Samples.Sine, CcfsFactory.OtherVdn).WaitAsync(Bound), "0", "success");

        // The stranger's two waiting requests never got a slot of their own: they are answered 0300503 when their wait ends,
        // while the two holding slots are not answered (their bodies may still come within the grace period).
        var answers = await Task.WhenAll(stalled.Select(r => r.TryReadAnswerHeadAsync(TimeSpan.FromSeconds(10))));
        Assert.Equal(2, answers.Count(a => a == true));
        Assert.All(stalled.Where(r => r.Received.Length > 0), r =>
        {
            Assert.StartsWith("HTTP/1.1 503 ", r.Received, StringComparison.Ordinal);
            Assert.Contains("\r\nX-Ccfs-Reason: no upload slot came free within 2 s\r\n", r.Received, StringComparison.Ordinal);
        });

        stalled.ForEach(r => r.Dispose());
        Assert.Single(StoredFiles());
    }

    [Fact]
    public async Task A_body_that_never_completes_counts_towards_the_ip_lock()
    {
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Auth__IpLock__MaxFailures"] = "2",
            ["Ccfs__Limits__MinRequestBodyRate"] = "1000",
            ["Ccfs__Limits__MinRequestBodyRateGracePeriod"] = "00:00:02",
        });

        for (var i = 0; i < 2; i++)
        {
            using var request = await RawHttp.ConnectAsync(server.Port, Stranger);
            await request.SendAsync(RawHttp.UploadHead(server.Port, 100_000));
            Assert.True(await request.ReadUntilClosedAsync(Bound), "a body that never came was not dropped");
        }

        var stranger = Client(server, Stranger, CcfsFactory.AccessKey, CcfsFactory.SecretKey);
        var locked = await stranger.UploadAsync(Samples.Sine);

        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        var neighbour = Client(server, Neighbour, CcfsFactory.AccessKey, CcfsFactory.SecretKey);
        await CcfsAnswer.AssertTripleAsync(await neighbour.UploadAsync(Samples.Sine), "0", "success");
        Assert.Equal(1, await ProcessMetrics.ValueAsync(server.Client.Http, "ccfs_ip_locks_total"));
    }

    [Fact]
    public async Task Over_http2_silent_streams_beside_a_busy_one_are_dropped_and_free_their_slots()
    {
        var port = ServerProcess.FreePort();
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Limits__MaxConcurrentUploads"] = "4",
            ["Ccfs__Limits__UnverifiedShare"] = "1",
            ["Ccfs__Limits__MinRequestBodyRate"] = "1000",
            ["Ccfs__Limits__MinRequestBodyRateGracePeriod"] = "00:00:03",
        }, port, https: true);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            EnableMultipleHttp2Connections = false,
        })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{port}"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // One stream feeds 20 KB/s, well over the rate, for longer than the test waits; three on the same connection send nothing.
        using var stopFeeding = new CancellationTokenSource();
        var busy = http.SendAsync(UploadRequest(port, 2_000_000, new TrickleContent(20_000, stopFeeding.Token)));
        var silent = Enumerable.Range(0, 3).Select(_ => http.SendAsync(UploadRequest(port, 100_000, new TrickleContent(0, stopFeeding.Token))))
            .ToList();

        // Each silent stream is reset on its own once its grace period ends: the client sees its exchange end, without an answer.
        foreach (var stream in silent)
        {
            var ended = await Record.ExceptionAsync(() => stream.WaitAsync(Bound));
            Assert.True(ended is HttpRequestException or IOException, "a silent stream was not reset while its neighbour kept the "
                + $"connection busy: {ended?.GetType().Name ?? "it was answered"} (in flight {await ProcessMetrics.ValueAsync(server.Client.Http, "ccfs_uploads_in_flight")})");
        }

        Assert.False(busy.IsCompleted, "the busy stream was dropped too");
        await ProcessMetrics.WaitForAsync(server.Client.Http, "ccfs_uploads_in_flight", 1);
        await stopFeeding.CancelAsync();
        await Record.ExceptionAsync(() => busy);
        Assert.Empty(StoredFiles());
    }

    [Fact]
    public async Task Refusals_as_fast_as_a_client_can_add_a_bounded_number_of_log_lines_and_audit_rows()
    {
        await using var server = await StartAsync(new() { ["Ccfs__Auth__IpLock__MaxFailures"] = "100000" });
        var longKey = new string('K', 30_000);
        var lines = server.Process.Output.Split('\n').Length;

        var stranger = Client(server, Stranger, CcfsFactory.AccessKey, CcfsFactory.SecretKey);
        for (var i = 0; i < 300; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/CCFS/resource/ccfs/ivr/uploadFile?vdnId={CcfsFactory.Vdn}")
            {
                Content = new ByteArrayContent(SignedClient.UploadBody(Samples.Sine)),
            };
            request.Headers.TryAddWithoutValidation("Authorization",
                i % 2 == 0 ? $"auth-v2/{longKey}/2026-01-01T00:00:00Z/host/{new string('0', 64)}" : "auth-v2/nobody");
            using var refused = await stranger.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var admin = Client(server, Neighbour, CcfsFactory.AdminAccessKey, CcfsFactory.AdminSecretKey);
        using var audit = await admin.AdminAsync(HttpMethod.Get, "/admin/api/audit?limit=1000");
        var entries = System.Text.Json.JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.GetProperty("entries")
            .EnumerateArray().Where(e => e.GetProperty("clientIp").GetString() == "127.0.0.1").ToList();

        // Two kinds of refusal (a key past the length limit, a malformed header), each once a minute: the first as itself.
        Assert.InRange(entries.Count, 1, 4);
        Assert.DoesNotContain(entries, e => e.TryGetProperty("accessKey", out var key) && key.GetString()?.Length > 128);
        Assert.InRange(server.Process.Output.Split('\n').Length - lines, 0, 10);
        Assert.DoesNotContain(longKey[..200], server.Process.Output, StringComparison.Ordinal);
        Assert.Equal(300, await ProcessMetrics.ValueAsync(server.Client.Http, "ccfs_auth_rejections_total{reason=\"MalformedAuthorization\"}"));
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

    private static HttpRequestMessage UploadRequest(int port, long length, HttpContent content)
    {
        var head = RawHttp.UploadHead(port, length);
        var authorization = head.Split("\r\n").Single(l => l.StartsWith("Authorization: ", StringComparison.Ordinal))["Authorization: ".Length..];
        var request = new HttpRequestMessage(HttpMethod.Post, $"/CCFS/resource/ccfs/ivr/uploadFile?vdnId={CcfsFactory.Vdn}")
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentLength = length;
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    /// <summary>A signing client whose connections leave from <paramref name="from"/>, so the server sees it as that address.</summary>
    private static SignedClient Client(Running server, IPAddress from, string accessKey, string secretKey)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        return new SignedClient(new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}") }, new(accessKey, secretKey),
            TimeProvider.System);
    }

    private IEnumerable<string> StoredFiles() => Directory.Exists(Path.Combine(_dataDir, "locations"))
        ? Directory.EnumerateFiles(Path.Combine(_dataDir, "locations"), "*.wav", SearchOption.AllDirectories)
        : [];



    private async Task<Running> StartAsync(Dictionary<string, string> settings, int? port = null, bool https = false)
    {
        var listening = port ?? ServerProcess.FreePort();
        var endpoint = $"{(https ? "https" : "http")}://127.0.0.1:{listening}";
        var process = ServerProcess.Start(new Dictionary<string, string>(settings)
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Ccfs__Accounts__0__AccessKey"] = CcfsFactory.AccessKey,
            ["Ccfs__Accounts__0__SecretKey"] = CcfsFactory.SecretKey,
            ["Ccfs__Accounts__0__VdnIds__0"] = CcfsFactory.Vdn.ToString(CultureInfo.InvariantCulture),
            ["Ccfs__Accounts__1__AccessKey"] = CcfsFactory.OtherAccessKey,
            ["Ccfs__Accounts__1__SecretKey"] = CcfsFactory.OtherSecretKey,
            ["Ccfs__Accounts__1__VdnIds__0"] = CcfsFactory.OtherVdn.ToString(CultureInfo.InvariantCulture),
            ["Ccfs__Accounts__2__AccessKey"] = CcfsFactory.AdminAccessKey,
            ["Ccfs__Accounts__2__SecretKey"] = CcfsFactory.AdminSecretKey,
            ["Ccfs__Accounts__2__VdnIds__0"] = "1",
            ["Ccfs__Accounts__2__Admin"] = "true",
        }, "--urls", endpoint);
        var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        {
            BaseAddress = new Uri(endpoint),
        };
        await process.WaitUntilHealthyAsync(http);
        return new Running(process, new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System), listening);
    }

    private sealed record Running(ServerProcess Process, SignedClient Client, int Port) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Http.Dispose();
            await Process.DisposeAsync();
        }
    }

    /// <summary>A body sent at <paramref name="bytesPerSecond"/> (0: nothing at all) until stopped, each piece flushed.</summary>
    private sealed class TrickleContent(int bytesPerSecond, CancellationToken stop) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var piece = new byte[Math.Max(1, bytesPerSecond / 10)];
            Array.Fill(piece, (byte)'A');
            await stream.FlushAsync(stop);
            while (!stop.IsCancellationRequested)
            {
                if (bytesPerSecond > 0)
                {
                    await stream.WriteAsync(piece, stop);
                    await stream.FlushAsync(stop);
                }

                await Task.Delay(100, stop);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
