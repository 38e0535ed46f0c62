using Microsoft.AspNetCore.Http;

namespace Ccfs.Cli.Tests;

/// <summary><c>ccfs bench</c> against an endpoint that fails: failures are counted in the report, not a crash.</summary>
public sealed class BenchFailureTests
{
    [Fact]
    public async Task Answers_outside_cc_fs_and_timeouts_are_counted_and_the_run_exits_1()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            if (Interlocked.Increment(ref requests) <= 2)
            {
                http.Response.StatusCode = StatusCodes.Status502BadGateway;
                await http.Response.WriteAsync("<html>bad gateway</html>");
                return;
            }

            // No answer: the client gives up after --timeout and closes the connection.
            await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });

        // 3 s: a loaded machine must not turn the 502s, answered at once, into timeouts.
        var (code, output, error) = await Cli.RunAsync(endpoint.Environment(), "bench", "--size", "1KB", "--concurrency", "1",
            "--requests", "4", "--duration", "60s", "--timeout", "3");

        Assert.True(code == ExitCodes.Failed, output + error);
        Assert.Contains("4 uploads of", output, StringComparison.Ordinal);
        Assert.Contains("resultCodes: HTTP 502 x2, timeout x2", output, StringComparison.Ordinal);
    }
}
