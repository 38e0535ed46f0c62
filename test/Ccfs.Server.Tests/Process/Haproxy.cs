using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Debian's haproxy (<c>/usr/sbin/haproxy</c>) in the foreground, running the repository's own
/// <c>deploy/haproxy.cfg</c> (the one docs/deployment.md shows) with the addresses it reads from the environment.
/// </summary>
internal sealed class Haproxy : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/haproxy";

    private readonly System.Diagnostics.Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private Haproxy(System.Diagnostics.Process process, int port)
    {
        _process = process;
        Port = port;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string Output => string.Join('\n', _output);

    public static string ConfigFile => Path.Combine(TestData.RepositoryRoot, "deploy", "haproxy.cfg");

    public static Haproxy Start(int nodeA, int nodeB)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: apt-get install haproxy (.ci/run installs it)");
        }

        var port = ServerProcess.FreePort();
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        // -db: stay in the foreground, so the test owns the process and kills it by its id.
        foreach (var argument in new[] { "-db", "-f", ConfigFile })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CCFS_LB_BIND"] = Address(port);
        start.Environment["CCFS_NODE_A"] = Address(nodeA);
        start.Environment["CCFS_NODE_B"] = Address(nodeB);
        return new Haproxy(System.Diagnostics.Process.Start(start)!, port);
    }

    /// <summary>Waits (at most 10 s) until haproxy accepts connections on its port, failing with its output.</summary>
    public async Task WaitUntilListeningAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, Port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException("haproxy did not listen within 10 s:\n" + Output);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string Address(int port) => "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

    private void Keep(string? line)
    {
        if (line is not null && _output.Count < 1000)
        {
            _output.Enqueue(line);
        }
    }
}
