using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ccfs.Server.Tests;

/// <summary>
/// A declared body over the limit, against the real server on a raw socket: the answer comes while the client has
/// sent only a few bytes, and the server closes the connection instead of waiting for the rest.
/// </summary>
public sealed class OversizedBodyProcessTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-oversized", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Is_answered_0300003_from_its_content_length_and_the_connection_closed_without_the_rest()
    {
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Ccfs__Accounts__0__AccessKey"] = CcfsFactory.AccessKey,
            ["Ccfs__Accounts__0__SecretKey"] = CcfsFactory.SecretKey,
            ["Ccfs__Accounts__0__VdnIds__0"] = CcfsFactory.Vdn.ToString(CultureInfo.InvariantCulture),
        }, "--urls", $"http://127.0.0.1:{port}");
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        {
            await server.WaitUntilHealthyAsync(http);
        }

        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var stream = socket.GetStream();
        var head = $"POST /CCFS/resource/ccfs/ivr/uploadFile?vdnId={CcfsFactory.Vdn} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            + "Content-Type: application/json\r\nContent-Length: 9000000\r\n\r\n{\"req";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // Reading ends only when the server closes (a FIN, or a reset since unread bytes were pending); the bound keeps
        // a server that waits for the rest from hanging the run, and fails the test.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var answer = new MemoryStream();
        var buffer = new byte[4096];
        var closed = false;
        while (!closed)
        {
            try
            {
                var read = await stream.ReadAsync(buffer, bound.Token);
                answer.Write(buffer, 0, read);
                closed = read == 0;
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
            {
                closed = true;
            }
        }

        var text = Encoding.UTF8.GetString(answer.ToArray());

        Assert.StartsWith("HTTP/1.1 200 ", text, StringComparison.Ordinal);
        Assert.Contains("Connection: close", text, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("""{"resultCode":"0300003","resultDesc":"The length of data is too long.","resultData":""}""", text, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dataDir, "locations"), "*.wav", SearchOption.AllDirectories));
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
}
