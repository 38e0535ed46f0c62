using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// What a client sees from haproxy running deploy/haproxy.cfg when no node can answer: the CC-FS-shaped JSON of
/// deploy/haproxy-50x.http (resultCode 0300503, Retry-After, a reason), never haproxy's HTML; and, for an upload still
/// being sent when its node dies, no answer at all (docs/deployment.md, "What clients see").
/// </summary>
public sealed class HaproxyAnswerTests
{
    [Fact]
    public async Task With_no_node_up_haproxy_answers_a_cc_fs_shaped_503()
    {
        await using var haproxy = Haproxy.Start(ServerProcess.FreePort(), ServerProcess.FreePort());
        await haproxy.WaitUntilListeningAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{haproxy.Port}") };

        using var answer = await SendAsync(http, CcfsPaths.GetFileHash, new byte[100]);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        await AssertCcfsShapedAsync(answer, "no ccfs node is available");
    }

    [Fact]
    public async Task When_every_node_fails_its_readiness_check_as_in_a_catalog_outage_haproxy_answers_a_cc_fs_shaped_503()
    {
        await using var unready = DyingNode.Start(ready: false);
        await using var haproxy = Haproxy.Start(unready.Port, unready.Port);
        await haproxy.WaitUntilListeningAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{haproxy.Port}") };

        // Until two health checks 2 s apart have failed, haproxy still sends requests to the node (which resets them).
        HttpResponseMessage? answer = null;
        for (var attempt = 0; attempt < 150 && answer?.StatusCode != HttpStatusCode.ServiceUnavailable; attempt++)
        {
            answer?.Dispose();
            answer = await SendAsync(http, CcfsPaths.GetFileHash, new byte[100]);
            await Task.Delay(100);
        }

        using (answer)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer!.StatusCode);
            await AssertCcfsShapedAsync(answer, "no ccfs node is available");
        }
    }

    [Fact]
    public async Task A_node_that_dies_after_the_request_reached_it_gives_a_cc_fs_shaped_502()
    {
        await using var dying = DyingNode.Start();
        await using var haproxy = Haproxy.Start(dying.Port, dying.Port);
        await haproxy.WaitUntilListeningAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{haproxy.Port}") };

        using var answer = await SendAsync(http, CcfsPaths.GetFileHash, new byte[100]);

        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        await AssertCcfsShapedAsync(answer, "the ccfs node failed before it answered");
    }

    [Fact]
    public async Task An_upload_still_being_sent_when_its_node_dies_is_never_answered_with_html_or_success()
    {
        await using var dying = DyingNode.Start();
        await using var haproxy = Haproxy.Start(dying.Port, dying.Port);
        await haproxy.WaitUntilListeningAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{haproxy.Port}") };

        HttpResponseMessage? answer = null;
        try
        {
            // Far more than the sockets between client, haproxy and node buffer: most of it is unsent when the node dies.
            answer = await SendAsync(http, CcfsPaths.UploadFile + "?vdnId=1", new byte[32 * 1024 * 1024]);
        }
        catch (HttpRequestException)
        {
            // The usual outcome: haproxy closes the connection while the body is still coming, and no answer arrives.
        }

        if (answer is not null)
        {
            Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
            await AssertCcfsShapedAsync(answer, "the ccfs node failed before it answered");
            answer.Dispose();
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        return await http.SendAsync(request);
    }

    private static async Task AssertCcfsShapedAsync(HttpResponseMessage answer, string reason)
    {
        Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), answer.Headers.RetryAfter?.Delta);
        Assert.StartsWith(reason, Assert.Single(answer.Headers.GetValues("X-Ccfs-Reason")), StringComparison.Ordinal);
        var triple = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(ResultCodes.ServiceUnavailable, triple.GetProperty("resultCode").GetString());
        Assert.Equal(CcfsResult.ServiceUnavailable.Description, triple.GetProperty("resultDesc").GetString());
    }

    /// <summary>
    /// A node that passes haproxy's health check (or, not ready, fails it as a node without its catalog does) and dies on
    /// every other request once its headers have arrived: the connection is reset, as the kernel resets the connections
    /// of a SIGKILLed process.
    /// </summary>
    private sealed class DyingNode : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly bool _ready;
        private readonly Task _serving;

        private DyingNode(TcpListener listener, bool ready)
        {
            _listener = listener;
            _ready = ready;
            _serving = Task.Run(ServeAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static DyingNode Start(bool ready = true)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new DyingNode(listener, ready);
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _serving;
        }

        private async Task ServeAsync()
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => AnswerAsync(socket, _ready));
            }
        }

        private static async Task AnswerAsync(Socket socket, bool ready)
        {
            using (socket)
            {
                var received = new List<byte>();
                var buffer = new byte[16 * 1024];
                try
                {
                    while (!Encoding.ASCII.GetString([.. received]).Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await socket.ReceiveAsync(buffer);
                        if (read == 0)
                        {
                            return;
                        }

                        received.AddRange(buffer.AsSpan(0, read));
                    }

                    if (Encoding.ASCII.GetString([.. received]).StartsWith("GET /readyz ", StringComparison.Ordinal))
                    {
                        await socket.SendAsync(ready
                            ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray()
                            : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 9\r\nConnection: close\r\n\r\nunhealthy"u8.ToArray());
                        return;
                    }

                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (SocketException)
                {
                }
            }
        }
    }
}
