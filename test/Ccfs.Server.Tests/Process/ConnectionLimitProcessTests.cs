using System.Globalization;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Connections are a bounded resource: past the limit a new one is closed at once rather than the process running out
/// of file descriptors and aborting, idle ones are closed after a while, and the server serves again once they are gone.
/// </summary>
public sealed class ConnectionLimitProcessTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-connections", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Connections_past_the_limit_are_closed_and_the_server_serves_again_once_they_go()
    {
        var port = ServerProcess.FreePort();
        await using var server = await StartAsync(port, new() { ["Ccfs__Limits__MaxConnections"] = "5" });

        var answered = await OpenAndAskAsync(port, 8);

        AssertAnsweredUpTo(5, answered);
        Assert.False(server.HasExited);
        await AssertServesAgainAsync(port);
        Assert.Contains("rejected because the maximum number of concurrent connections has been reached", server.Output, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var metrics = await http.GetStringAsync("/metrics");
        var rejected = System.Text.RegularExpressions.Regex.Match(metrics, "(?m)^ccfs_connections_rejected_total (?<n>[0-9]+)$");
        Assert.True(rejected.Success && int.Parse(rejected.Groups["n"].Value, CultureInfo.InvariantCulture) >= 3, metrics);
        Assert.Matches("(?m)^ccfs_connections [1-9][0-9]*$", metrics);
    }

    [Fact]
    public async Task The_limit_is_lowered_to_what_the_file_descriptor_limit_holds_and_the_process_survives_a_flood()
    {
        const int openFiles = 1024;
        var port = ServerProcess.FreePort();
        await using var server = await StartAsync(port, [], openFiles);
        var ceiling = (openFiles - 512) / 2;

        // More idle connections than the process has descriptors: without a limit, accepting them exhausts it.
        var answered = await OpenAndAskAsync(port, openFiles);

        AssertAnsweredUpTo(ceiling, answered);
        Assert.False(server.HasExited, server.Output);
        Assert.Contains($"each listener keeps at most {ceiling} connections open", server.Output, StringComparison.Ordinal);
        await AssertServesAgainAsync(port);
    }

    [Fact]
    public async Task An_idle_connection_and_one_that_never_finishes_its_headers_are_closed()
    {
        var port = ServerProcess.FreePort();
        await using var server = await StartAsync(port, new()
        {
            ["Ccfs__Limits__KeepAliveTimeout"] = "00:00:02",
            ["Ccfs__Limits__RequestHeadersTimeout"] = "00:00:02",
        });
        using var idle = await RawHttp.ConnectAsync(port);
        using var afterRequest = await RawHttp.ConnectAsync(port);
        await afterRequest.SendAsync($"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        using var slowHeaders = await RawHttp.ConnectAsync(port);
        await slowHeaders.SendAsync($"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");

        Assert.True(await idle.ReadUntilClosedAsync(Bound), "an idle connection was kept open");
        Assert.Equal("", idle.Received);
        Assert.True(await afterRequest.ReadUntilClosedAsync(Bound), "a connection idle after its request was kept open");
        Assert.StartsWith("HTTP/1.1 200 ", afterRequest.Received, StringComparison.Ordinal);
        Assert.True(await slowHeaders.ReadUntilClosedAsync(Bound), "a connection that never finished its headers was kept open");
        Assert.DoesNotContain("HTTP/1.1 200 ", slowHeaders.Received, StringComparison.Ordinal);
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

    /// <summary>
    /// The limit's worth of connections answered, or one fewer: the connection that waited for the server to start was
    /// closed just before, and the server may not have counted it out yet.
    /// </summary>
    private static void AssertAnsweredUpTo(int limit, int answered) => Assert.InRange(answered, limit - 1, limit);

    /// <summary>The connections just closed are counted out as the server notices; a new one is served within the bound.</summary>
    private static async Task AssertServesAgainAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await OpenAndAskAsync(port, 1) == 1)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the server did not serve a new connection once the others had closed");
    }

    /// <summary>
    /// Opens <paramref name="count"/> connections and keeps them all open, then asks /healthz on each: those the server
    /// took answer, those it refused were closed. The answered ones stay open until every connection was seen, so the
    /// server cannot take a late one in the place of one already answered. Returns how many answered; every connection is
    /// closed afterwards.
    /// </summary>
    private static async Task<int> OpenAndAskAsync(int port, int count)
    {
        var connections = new List<RawHttp>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                connections.Add(await RawHttp.ConnectAsync(port));
            }

            var answers = await Task.WhenAll(connections.Select(async c =>
            {
                try
                {
                    await c.SendAsync($"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
                }
                catch (IOException)
                {
                    // Closed by the server before the request was written: refused.
                }

                return await c.ReadAnswerHeadAsync(Bound) && c.Received.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal);
            }));
            return answers.Count(a => a);
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    private async Task<ServerProcess> StartAsync(int port, Dictionary<string, string> settings, int? openFiles = null)
    {
        var environment = new Dictionary<string, string>(settings)
        {
            ["Ccfs__DataDir"] = _dataDir,
        }.WithTestAccounts(admin: false, CcfsFactory.Vdn);
        // Every connection here comes from 127.0.0.1: the whole pool is under test, not one address's share of it.
        environment.TryAdd("Ccfs__Limits__MaxConnectionsPerAddress", "100000");
        var server = openFiles is { } limit
            ? ServerProcess.StartWithOpenFilesLimit(limit, environment, "--urls", $"http://127.0.0.1:{port}")
            : ServerProcess.Start(environment, "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await server.WaitUntilHealthyAsync(http);
        return server;
    }
}
