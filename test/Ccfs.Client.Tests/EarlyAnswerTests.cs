using System.Net;
using System.Net.Sockets;
using System.Text;
using Ccfs.Client;

namespace Ccfs.Client.Tests;

/// <summary>
/// A server that answers an upload from its headers and closes the connection, as CC-FS servers refuse a body over the
/// limit: the SDK returns that answer instead of failing because the rest of the body could not be sent.
/// </summary>
public sealed class EarlyAnswerTests
{
    private const string TooLong = """{"resultCode":"0300003","resultDesc":"The length of data is too long.","resultData":""}""";

    [Fact]
    public async Task An_upload_answered_before_its_body_was_sent_returns_that_answer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = AnswerFromTheHeadersAsync(listener);
        var endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        var options = new CcfsClientOptions { Endpoint = endpoint, AccessKey = "ak", SecretKey = "sk" };
        using var http = new HttpClient(CcfsHttpHandler.Create(options)) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(60) };

        // 32 MiB: far more than the socket buffers hold, so sending fails once the server has closed.
        var response = await new CcfsClient(http, options).UploadAsync(new MemoryStream(Samples.ALawOfSize(32 * 1024 * 1024)), 53);

        Assert.Equal("0300003", response.ResultCode);
        Assert.Equal("The length of data is too long.", response.ResultDesc);
        Assert.Equal("the body is over the limit", response.Reason);
        Assert.True(await serving < 1024 * 1024, "the server read the body it refused");
    }

    /// <summary>Reads the request's headers, answers, and closes with the body unread; returns how many bytes it read.</summary>
    private static async Task<int> AnswerFromTheHeadersAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (!Encoding.ASCII.GetString([.. received]).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            Assert.NotEqual(0, read);
            received.AddRange(buffer.AsSpan(0, read));
        }

        var answer = $"HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nX-Ccfs-Reason: the body is over the limit\r\n"
            + $"Connection: close\r\nContent-Length: {TooLong.Length}\r\n\r\n{TooLong}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
        client.Client.Shutdown(SocketShutdown.Send);
        client.Close();
        return received.Count;
    }
}
