using System.Diagnostics;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// samples/java/CcfsClient.java, run as samples/README.md says: it uploads, hashes, downloads and deletes a prompt on a
/// real server with both of the JDK's HTTP clients (WorkedExampleTests checks its signer on docs/auth-v2.md's example).
/// </summary>
public sealed class JavaSampleProcessTests : IDisposable
{
    private static readonly string Sample = Path.Combine(TestData.RepositoryRoot, "samples", "java", "CcfsClient.java");
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-java-sample", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task It_uploads_hashes_downloads_and_deletes_with_both_http_clients()
    {
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string>(), "--urls", $"http://127.0.0.1:{port}", $"--Ccfs:DataDir={_dataDir}");
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        {
            await server.WaitUntilHealthyAsync(http);
        }

        foreach (var transport in new[] { "httpclient", "urlconnection" })
        {
            var (code, output) = await JavaAsync(new Dictionary<string, string>
            {
                ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{port}",
                ["CCFS_TRANSPORT"] = transport,
            }, TestData.Audio("valid", "alaw-8k-sine.wav"));

            Assert.True(code == 0, $"{transport}: exit {code}\n{output}");
            Assert.Contains("(the local SHA-256)", output, StringComparison.Ordinal);
            Assert.Contains(", identical", output, StringComparison.Ordinal);
            Assert.Contains("deleted    Y:/", output, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_dataDir, "locations"), "*.wav", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_upload_answered_as_the_load_balancer_answers_a_failed_node_is_not_sent_again()
    {
        // deploy/haproxy-502.http: 0300503 with HTTP 502, after which the upload may have been stored.
        var faults = Path.Combine(_dataDir, "faults.json");
        Directory.CreateDirectory(_dataDir);
        await File.WriteAllTextAsync(faults,
            """[{"match":{"interface":"uploadFile"},"action":{"resultCode":"0300503","httpStatus":502},"times":1}]""");
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string>(), "--urls", $"http://127.0.0.1:{port}",
            $"--Ccfs:DataDir={_dataDir}", "--faults", faults);
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        {
            await server.WaitUntilHealthyAsync(http);
        }

        var (code, output) = await JavaAsync(new Dictionary<string, string> { ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{port}" },
            TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.True(code == 1, $"exit {code}\n{output}");
        Assert.Contains("uploadFile: HTTP 502, resultCode 0300503", output, StringComparison.Ordinal);
        Assert.DoesNotContain("retrying", output, StringComparison.Ordinal);
    }

    /// <summary>Runs the sample with the JDK's source launcher, for at most two minutes.</summary>
    internal static async Task<(int Code, string Output)> JavaAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        Assert.True(File.Exists("/usr/bin/java"), "java is missing (.ci/run installs a JDK)");
        var start = new ProcessStartInfo("/usr/bin/java", [Sample, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var java = System.Diagnostics.Process.Start(start)!;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = java.StandardOutput.ReadToEndAsync(bound.Token);
        var error = java.StandardError.ReadToEndAsync(bound.Token);
        try
        {
            await java.WaitForExitAsync(bound.Token);
        }
        finally
        {
            if (!java.HasExited)
            {
                java.Kill();
            }
        }

        return (java.ExitCode, await output + await error);
    }
}
