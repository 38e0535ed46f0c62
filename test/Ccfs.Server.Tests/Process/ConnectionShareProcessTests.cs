using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// One client address cannot take every connection, and a refusal made from the headers alone does not read the body
/// it declared: both against the real server's Kestrel.
/// </summary>
public sealed class ConnectionShareProcessTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-connection-share", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task One_address_holding_idle_connections_keeps_only_its_share_and_another_address_is_served()
    {
        var port = ServerProcess.FreePort();
        await using var server = await StartAsync(port, new() { ["Ccfs__Limits__MaxConnections"] = "20" });
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var socket = new TcpClient(new IPEndPoint(IPAddress.Loopback, 0));
                idle.Add(socket);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port);
                }
                catch (SocketException)
                {
                    // Closed by the server as the connection was made: the read below sees it closed.
                }
            }

            // A quarter of the 20 stay open; the rest are closed at once, before a byte of a request.
            var closed = await Task.WhenAll(idle.Select(ClosedByServerAsync));
            Assert.Equal(15, closed.Count(c => c));

            using var neighbour = new HttpClient(new SocketsHttpHandler { ConnectCallback = From(IPAddress.Parse("127.0.0.2")) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            var signed = new SignedClient(neighbour, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);
            await CcfsAnswer.AssertTripleAsync(await signed.UploadAsync(Samples.Sine).WaitAsync(Bound), "0", "success");
            Assert.Equal(15, await ProcessMetrics.ValueAsync(neighbour, "ccfs_connections_refused_per_address_total"));
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_hopeless_header_is_answered_at_once_and_a_slow_body_is_not_waited_for()
    {
        var port = ServerProcess.FreePort();
        await using var server = await StartAsync(port, []);
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var stream = socket.GetStream();
        const int declared = 5_000_000;
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(RawHttp.UploadHead(port, declared, accessKey: "nobody")));
        var answer = new byte[4096];
        var length = await stream.ReadAsync(answer).AsTask().WaitAsync(Bound);
        Assert.StartsWith("HTTP/1.1 401 ", System.Text.Encoding.ASCII.GetString(answer, 0, length), StringComparison.Ordinal);

        // Answered, the client sends the body it declared at 100 KB/s. A body within the limit is read and dropped so that a
        // client sending it all before it reads gets the answer (EarlyAnswerProcessTests), but only for Kestrel's five
        // seconds of drain: then the connection is closed, long before this body's fifty seconds.
        var chunk = new byte[10_000];
        var sent = 0;
        try
        {
            while (sent < declared)
            {
                await stream.WriteAsync(chunk);
                sent += chunk.Length;
                await Task.Delay(100);
            }
        }
        catch (IOException)
        {
        }

        Assert.True(sent < declared, $"the server waited for the whole declared body ({sent} bytes) after answering");
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

    /// <summary>Whether the server closes the connection within a few seconds, while the client sends nothing.</summary>
    private static async Task<bool> ClosedByServerAsync(TcpClient socket)
    {
        if (!socket.Connected)
        {
            return true;
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            return await socket.GetStream().ReadAsync(new byte[1], wait.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return true;
        }
    }

    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> From(IPAddress address) =>
        async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        };


    private async Task<ServerProcess> StartAsync(int port, Dictionary<string, string> settings)
    {
        var process = ServerProcess.Start(new Dictionary<string, string>(settings)
        {
            ["Ccfs__DataDir"] = _dataDir,
        }.WithTestAccounts(admin: false, CcfsFactory.Vdn), "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = From(IPAddress.Parse("127.0.0.3")) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        await process.WaitUntilHealthyAsync(http);
        return process;
    }
}
