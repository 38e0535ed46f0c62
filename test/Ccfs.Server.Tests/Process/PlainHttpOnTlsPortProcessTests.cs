namespace Ccfs.Server.Tests.Process;

/// <summary>
/// A plain HTTP request sent to the server's HTTPS port, as <c>curl http://…:8443</c> sends it, is answered 400 with a
/// text that says to use https, logged and counted; HTTPS on the same port is unchanged.
/// </summary>
public sealed class PlainHttpOnTlsPortProcessTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-plain-http").FullName;
    private readonly int _port = ServerProcess.FreePort();
    private ServerProcess _server = null!;
    private HttpClient _https = null!;

    public async Task InitializeAsync()
    {
        _server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = Path.Combine(_work, "data"), ["HOME"] = _work },
            "--urls", $"https://127.0.0.1:{_port}");
        _https = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        {
            BaseAddress = new Uri($"https://127.0.0.1:{_port}"),
        };
        await _server.WaitUntilHealthyAsync(_https);
    }

    [Theory]
    [InlineData("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")]
    [InlineData("POST /CCFS/resource/ccfs/ivr/uploadFile?vdnId=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 600000\r\n\r\n")]
    public async Task A_plain_http_request_is_answered_400_naming_https_and_logged(string head)
    {
        using var raw = await RawHttp.ConnectAsync(_port);
        await raw.SendAsync(head);
        if (head.StartsWith("POST", StringComparison.Ordinal))
        {
            // The body comes after the answer was sent: it must be read and dropped, not met with a reset.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await raw.SendAsync(new string('x', 600_000));
        }

        Assert.True(await raw.ReadUntilClosedAsync(TimeSpan.FromSeconds(20)), "the connection stayed open");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", raw.Received, StringComparison.Ordinal);
        Assert.EndsWith("this port serves HTTPS, and the request came as plain HTTP: send it again with https:// to the same host and port "
            + "(for the development server, its log names the certificate to trust).\n", raw.Received, StringComparison.Ordinal);
        await ProcessMetrics.WaitForAsync(_https, "ccfs_plain_http_on_tls_port_total", 1);
        Assert.Contains($"A plain HTTP request from 127.0.0.1 came to the HTTPS port {_port}", _server.Output, StringComparison.Ordinal);
        using var response = await _https.GetAsync("/healthz");
        Assert.True(response.IsSuccessStatusCode);
    }

    public async Task DisposeAsync()
    {
        _https.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }
}
