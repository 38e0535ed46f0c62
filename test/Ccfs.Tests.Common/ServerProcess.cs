using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ccfs.Tests;

namespace Ccfs.Tests;

/// <summary>The built server as a separate process, for what only a real process shows: listeners, TLS, SIGKILL.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _home;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _standardOutput = new();
    private readonly ConcurrentQueue<string> _standardError = new();

    private ServerProcess(Process process, string? home)
    {
        _process = process;
        _home = home;
        _process.OutputDataReceived += (_, e) => Keep(e.Data, _standardOutput);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data, _standardError);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Standard output and standard error, interleaved as they arrived.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The lines written to standard output only.</summary>
    public IReadOnlyList<string> StandardOutput => [.. _standardOutput];

    /// <summary>The lines written to standard error only.</summary>
    public IReadOnlyList<string> StandardError => [.. _standardError];

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>The server's own build output, from the same configuration as these tests.</summary>
    public static string ServerAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var path = Path.Combine(TestData.RepositoryRoot, "src", "Ccfs.Server", "bin", configuration, "net10.0", "Ccfs.Server.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the server first", path);
        }
    }

    /// <summary>The <c>ccfs</c> tool's own build output, for <c>ccfs serve</c>.</summary>
    public static string CliAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var path = Path.Combine(TestData.RepositoryRoot, "src", "Ccfs.Cli", "bin", configuration, "net10.0", "ccfs.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the CLI first", path);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static ServerProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartAssembly(ServerAssembly, environment, arguments);

    /// <summary>Starts the server under <c>prlimit</c>, with <paramref name="openFiles"/> as its soft and hard RLIMIT_NOFILE.</summary>
    public static ServerProcess StartWithOpenFilesLimit(int openFiles, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        // prlimit sets the limit on itself and then executes dotnet, so the process started is the server.
        StartExecutable("prlimit", environment, [$"--nofile={openFiles}:{openFiles}", "--",
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", ServerAssembly, .. arguments]);

    /// <summary>
    /// Starts <paramref name="assembly"/> with dotnet. Unless <paramref name="environment"/> sets <c>HOME</c>, the process
    /// gets a home of its own, so a development server's <c>~/.ccfs/dev-certificate.pem</c> never lands in the real one.
    /// </summary>
    public static ServerProcess StartAssembly(string assembly, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartExecutable(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", environment, [assembly, .. arguments]);

    /// <summary>Starts a program, such as an installed <c>ccfs</c> tool, as <see cref="StartAssembly"/> starts an assembly.</summary>
    public static ServerProcess StartExecutable(string executable, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Ccfs__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        string? home = null;
        if (!environment.ContainsKey("HOME"))
        {
            home = Directory.CreateTempSubdirectory("ccfs-home").FullName;
            start.Environment["HOME"] = home;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new ServerProcess(Process.Start(start)!, home);
    }

    /// <summary>Waits until <paramref name="url"/>/healthz answers 200, or fails with the server's output.</summary>
    public async Task WaitUntilHealthyAsync(HttpClient client, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the server did not become healthy:\n" + Output);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM: the polite stop a service manager sends; the server finishes what it is doing.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut of the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
        if (_home is not null)
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private void Keep(string? line, ConcurrentQueue<string> stream)
    {
        if (line is not null && _output.Count < 5000)
        {
            _output.Enqueue(line);
            stream.Enqueue(line);
        }
    }
}
