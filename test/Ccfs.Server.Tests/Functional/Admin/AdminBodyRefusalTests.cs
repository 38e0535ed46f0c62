using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>
/// A caller who can never be admitted is refused before its body is read: it cannot hold a buffer, or a slot of the
/// upload limit, while it sends (or pretends to send) a large admin upload. Over a real socket, since HttpClient reads
/// no answer before it has sent the whole body.
/// </summary>
public sealed class AdminBodyRefusalTests : IDisposable
{
    private const string UploadPath = "/admin/api/vdns/53/files";
    private const long ClaimedLength = 40L * 1024 * 1024;
    private const int SentLength = 64 * 1024;

    private readonly CcfsFactory _factory = CcfsFactory.With(new()
    {
        ["Ccfs:Limits:MaxConcurrentUploads"] = "1",
        ["Ccfs:Limits:UploadQueueLength"] = "0",
    });

    public AdminBodyRefusalTests()
    {
        _factory.UseKestrel(0);
        _factory.StartServer();
    }

    public void Dispose() => _factory.Dispose();

    public static TheoryData<string> Callers => ["unsigned", "non-admin", "unknown key"];

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task A_large_admin_upload_from_a_caller_who_is_not_an_admin_is_401_before_its_body_is_read(string caller)
    {
        var authorization = caller switch
        {
            "unsigned" => null,
            "non-admin" => AuthorizationOf(_factory.Signed()),
            _ => AuthorizationOf(_factory.Signed("nobody", "nothing")),
        };

        // 64 KiB of the 40 MiB announced, and then nothing: only an answer given without reading the body can arrive.
        var (status, headers, body) = await SendStalledAsync(authorization).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(401, status);
        Assert.Equal("close", headers.GetValueOrDefault("connection"));
        Assert.Equal(UploadPath, JsonDocument.Parse(body).RootElement.GetProperty("path").GetString());

        // The refusal let go of the only upload slot at once.
        using var upload = await _factory.Admin().SendAsync(HttpMethod.Post, UploadPath, Samples.Sine, new SignOptions { ContentType = "audio/wav" });
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
    }

    private static string AuthorizationOf(SignedClient client)
    {
        using var request = client.Build(UploadPath, [], new SignOptions { SignedHeaders = ["host"] });
        return request.Headers.GetValues("Authorization").Single();
    }

    /// <summary>Sends the head and the first bytes of a body that never ends, then reads the answer.</summary>
    private async Task<(int Status, Dictionary<string, string> Headers, string Body)> SendStalledAsync(string? authorization)
    {
        var server = _factory.ClientOptions.BaseAddress;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {UploadPath} HTTP/1.1\r\nHost: {server.Authority}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: audio/wav\r\nContent-Length: {ClaimedLength}\r\n")
            .Append(authorization is null ? "" : $"Authorization: {authorization}\r\n")
            .Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(new byte[SentLength]);

        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
            if (Complete(received.ToArray()) is { } answer)
            {
                return answer;
            }
        }

        return Complete(received.ToArray()) ?? throw new IOException("the connection closed before a whole answer arrived");
    }

    private static (int, Dictionary<string, string>, string)? Complete(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var lines = text[..end].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var body = text[(end + 4)..];
        var length = int.Parse(headers["content-length"], CultureInfo.InvariantCulture);
        return body.Length < length ? null : (int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture), headers, body[..length]);
    }
}
