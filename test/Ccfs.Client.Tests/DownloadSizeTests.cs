using System.Net;
using System.Net.Sockets;
using System.Text;
using Ccfs.Client;
using Microsoft.AspNetCore.Http;

namespace Ccfs.Client.Tests;

/// <summary>A download writes no more than the file declares, and no more than <see cref="CcfsClientOptions.MaxDownloadBytes"/>.</summary>
public sealed class DownloadSizeTests
{
    private const string FileName = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";

    [Fact]
    public async Task An_endless_file_stops_at_max_download_bytes_is_not_retried_and_the_destination_is_cut_back()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "Application/Octet-stream;charset=UTF-8";
            var chunk = Enumerable.Repeat((byte)'R', 64 * 1024).ToArray();
            // Chunked, no Content-Length; bounded at 16 MiB so the test ends even without a limit.
            for (var i = 0; i < 256 && !http.RequestAborted.IsCancellationRequested; i++)
            {
                await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
            }
        });
        var client = HostileEndpoint.Client(endpoint, o => o.MaxDownloadBytes = 1024 * 1024);
        using var destination = new MemoryStream();

        var refused = await Assert.ThrowsAsync<CcfsDownloadTooLargeException>(() => client.DownloadAsync(FileName, destination));

        Assert.Contains("MaxDownloadBytes", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1024 * 1024, refused.MaxBytes);
        Assert.True(refused.Bytes > refused.MaxBytes);
        Assert.Equal(1, requests);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task A_file_announced_larger_than_max_download_bytes_is_refused_before_a_byte_is_written()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            http.Response.ContentType = "audio/wav";
            http.Response.ContentLength = Samples.Sine.Length;
            await http.Response.Body.WriteAsync(Samples.Sine);
        });
        var client = HostileEndpoint.Client(endpoint, o => o.MaxDownloadBytes = Samples.Sine.Length - 1);
        using var destination = new MemoryStream();

        var refused = await Assert.ThrowsAsync<CcfsDownloadTooLargeException>(() => client.DownloadAsync(FileName, destination));

        Assert.Equal(Samples.Sine.Length, refused.Bytes);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task Bytes_past_the_declared_content_length_are_not_written()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var connection = await listener.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var request = new StringBuilder();
            var buffer = new byte[4096];
            // Bounded: the request is a few hundred bytes of headers and a small JSON body.
            for (var reads = 0; reads < 100 && !HasWholeRequest(request.ToString()); reads++)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: Application/Octet-stream;charset=UTF-8\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"u8.ToArray());
            await stream.WriteAsync(Enumerable.Repeat((byte)'R', 10_000).ToArray());
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var client = new CcfsClient(new CcfsClientOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{port}"),
            AccessKey = CcfsFactory.AccessKey,
            SecretKey = CcfsFactory.SecretKey,
            RetryAttempts = 0,
        });
        using var destination = new MemoryStream();

        var response = await client.DownloadAsync(FileName, destination);
        await serving;

        Assert.True(response.IsSuccess);
        Assert.Equal(100, destination.Length);
        Assert.Equal(100, response.Data!.Length);
    }

    private static bool HasWholeRequest(string request)
    {
        var end = request.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var header = request[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = header is null ? 0 : int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return request.Length - end - 4 >= length;
    }
}
