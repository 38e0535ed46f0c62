using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Server.Tests.Functional.Observability;

namespace Ccfs.Server.Tests.Process;

/// <summary>What only a real process shows: its JSON log lines, and a stop that lets uploads in flight finish.</summary>
public sealed class ProcessObservabilityTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-observe", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Log_lines_are_json_and_carry_the_w3c_trace_id_of_the_request()
    {
        var (server, http) = await StartAsync();
        await using var running = server;
        using var request = new HttpRequestMessage(HttpMethod.Post, CcfsPaths.UploadFile + "?vdnId=53")
        {
            Content = new StringContent("{}", MediaTypeHeaderValue.Parse(CcfsPaths.JsonContentType)),
        };
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

        await http.SendAsync(request);

        JsonElement? rejected = null;
        for (var i = 0; i < 100 && rejected is null; i++)
        {
            rejected = server.StandardOutput.Where(l => l.Contains("\"Category\":\"Ccfs.Server.Requests\"", StringComparison.Ordinal))
                .Select(l => (JsonElement?)JsonDocument.Parse(l).RootElement).FirstOrDefault();
            await Task.Delay(50);
        }

        Assert.NotNull(rejected);
        Assert.Equal("Warning", rejected.Value.GetProperty("LogLevel").GetString());
        Assert.Equal("HTTP 401", rejected.Value.GetProperty("State").GetProperty("Outcome").GetString());
        var scopes = rejected.Value.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var t) && t.GetString() == "4bf92f3577b34da6a3ce929d0e0e4736");
        Assert.Contains(scopes, s => s.TryGetProperty("RequestId", out _));
    }

    [Fact]
    public async Task A_stopping_server_finishes_the_upload_in_flight_before_it_exits()
    {
        var (server, http) = await StartAsync();
        await using var running = server;
        var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);
        var body = SignedClient.UploadBody(Samples.Read("valid", "prompt-alaw-8k-odd-length.wav"));
        var release = new TaskCompletionSource();
        var firstHalfSent = new TaskCompletionSource();
        var upload = client.PostAsync(CcfsPaths.UploadFile + "?vdnId=53", body, new SignOptions
        {
            AfterSigning = r =>
            {
                r.Content = new StreamContent(new HalfThenWait(body, firstHalfSent, release.Task));
                r.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CcfsPaths.JsonContentType);
                r.Content.Headers.ContentLength = body.Length;
            },
        });
        await firstHalfSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(300);

        await server.TerminateAsync();
        await Task.Delay(300);
        Assert.False(server.HasExited, "the server stopped before the upload in flight finished");
        release.SetResult();
        var response = await upload;

        var json = await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), server.Output);
        Assert.Equal(0, server.ExitCode);
        var fileName = json.GetProperty("resultData").GetProperty("fileName").GetString()!;
        Assert.True(File.Exists(Path.Combine(_dataDir, "locations", "0", fileName[3..])));
    }

    [Fact]
    public async Task Kestrel_receives_into_the_servers_64_KiB_blocks()
    {
        var (server, http) = await StartAsync();
        await using var running = server;
        var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);

        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine), "0", "success");

        // Kestrel's own pools would leave these at zero: the factory the server registers would not be in use.
        var metrics = await ObservabilityTests.ScrapeAsync(http);
        Assert.True(metrics.GetValueOrDefault("ccfs_receive_blocks_allocated_total") >= 1, string.Join('\n', metrics.Keys));
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

    private async Task<(ServerProcess Server, HttpClient Http)> StartAsync()
    {
        var port = ServerProcess.FreePort();
        var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
        }.WithTestAccounts(admin: false, CcfsFactory.Vdn), "--urls", $"http://127.0.0.1:{port}");
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await server.WaitUntilHealthyAsync(http);
        return (server, http);
    }

    /// <summary>Sends the first half of the body, says so, then waits for the test before sending the rest.</summary>
    private sealed class HalfThenWait(byte[] bytes, TaskCompletionSource halfSent, Task release) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= bytes.Length / 2)
            {
                halfSent.TrySetResult();
                await release.WaitAsync(cancellationToken);
            }

            var limit = _position < bytes.Length / 2 ? (bytes.Length / 2) - _position : bytes.Length - _position;
            var count = Math.Min(buffer.Length, limit);
            bytes.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
