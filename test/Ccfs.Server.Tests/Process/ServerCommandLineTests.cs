using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Process;

/// <summary>The server as a person starts it: --help, --version, its log formats, and start-up failures as one line.</summary>
public sealed partial class ServerCommandLineTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-cmdline").FullName;

    private string DataDir => Path.Combine(_work, "data");

    [Fact]
    public async Task Help_prints_the_options_and_keys_and_exits_0_without_listening()
    {
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = DataDir },
            "--help", "--urls", $"http://127.0.0.1:{port}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(0, server.ExitCode);
        var help = string.Join('\n', server.StandardOutput);
        foreach (var expected in new[] { "usage: Ccfs.Server", "--urls", "--ephemeral", "--log-format auto|json|text", "--version",
                     "Ccfs:DataDir", "Ccfs:Accounts:0:AccessKey", "Ccfs:Parameters:UploadSizeLimitMb", "docs/running.md" })
        {
            Assert.Contains(expected, help, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(DataDir));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task Version_prints_the_products_one_version_and_exits_0()
    {
        await using var server = ServerProcess.Start(new Dictionary<string, string>(), "--version");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(0, server.ExitCode);
        Assert.Equal([ProductVersion.Read()], server.StandardOutput);
    }

    [Fact]
    public async Task Off_a_terminal_stdout_carries_json_lines_only_one_per_request()
    {
        var (server, http) = await StartAsync();
        await using var running = server;
        var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);

        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine), "0", "success");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.UploadAsync(Samples.Sine, vdnId: CcfsFactory.OtherVdn)).StatusCode);
        await CcfsAnswer.AssertTripleAsync(await client.HashAsync("Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav"),
            "0300011", "The file does not exist.");
        await server.TerminateAsync();

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(0, server.ExitCode);
        Assert.Empty(server.StandardError);
        var lines = server.StandardOutput.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, line.ValueKind));
        var requests = lines.Where(l => l.GetProperty("Category").GetString() == "Ccfs.Server.Requests")
            .Select(l => (l.GetProperty("State").GetProperty("Interface").GetString(), l.GetProperty("State").GetProperty("Outcome").GetString()))
            .ToList();
        Assert.Equal([("uploadFile", "0"), ("uploadFile", "HTTP 401"), ("getFileHash", "0300011")], requests);
        Assert.Contains(lines, l => l.GetProperty("Message").GetString()!.StartsWith($"ccfs {CcfsVersion.Describe()} starting (process ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Log_format_text_gives_one_short_line_per_request()
    {
        var (server, http) = await StartAsync("--log-format", "text");
        await using var running = server;
        var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);

        var name = await client.StoreAsync(Samples.Sine);
        await server.TerminateAsync();

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.DoesNotContain(server.StandardOutput, line => line.StartsWith('{'));
        var stored = Assert.Single(server.StandardOutput, line => line.Contains(" uploadFile ", StringComparison.Ordinal));
        Assert.Matches(TextRequestLine(), stored);
        // An upload's line ends with what the prompt checks found (docs/prompt-quality.md).
        Assert.Contains($"INF uploadFile 0 in {TextRequestLine().Match(stored).Groups["ms"].Value} ms: ak={CcfsFactory.AccessKey} vdn=53 file={name} "
            + "ip=127.0.0.1 found: level=", stored, StringComparison.Ordinal);
        Assert.Matches(";verdict=[a-z,-]+$", stored);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_on_stderr_and_exit_code_2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = DataDir }, "--urls", $"http://127.0.0.1:{port}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(2, server.ExitCode);
        var line = Assert.Single(server.StandardError);
        Assert.StartsWith($"ccfs cannot start: 127.0.0.1:{port} is already in use", line, StringComparison.Ordinal);
        AssertNoCrash(server);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("https")]
    public async Task An_unwritable_data_dir_is_one_line_on_stderr_and_exit_code_2(string scheme)
    {
        Directory.CreateDirectory(DataDir);
        using var readOnly = ReadOnlyFolder.Make(DataDir);

        // Over https the generated certificate is wanted while the host is built, before anything else looks at the folder.
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = DataDir },
            "--urls", $"{scheme}://127.0.0.1:{ServerProcess.FreePort()}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(2, server.ExitCode);
        Assert.Equal($"ccfs cannot start: {DataDir} is not writable by user {Environment.UserName} (Ccfs:DataDir)", Assert.Single(server.StandardError));
        Assert.Empty(Directory.GetFileSystemEntries(DataDir));
        AssertNoCrash(server);
    }

    [Fact]
    public async Task A_data_dir_under_a_regular_file_is_one_line_on_stderr_and_exit_code_2()
    {
        var file = Path.Combine(_work, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");

        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = Path.Combine(file, "data") },
            "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(2, server.ExitCode);
        Assert.Equal($"ccfs cannot start: {Path.Combine(file, "data")} (Ccfs:DataDir) cannot be created: {file} is a file, not a folder",
            Assert.Single(server.StandardError));
        AssertNoCrash(server);
    }

    [Fact]
    public async Task A_catalog_that_cannot_be_opened_is_one_line_on_stderr_and_exit_code_2()
    {
        Directory.CreateDirectory(Path.Combine(DataDir, "catalog.db"));

        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = DataDir },
            "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(2, server.ExitCode);
        Assert.StartsWith($"ccfs cannot start: the catalog {Path.Combine(DataDir, "catalog.db")} cannot be used: ", Assert.Single(server.StandardError),
            StringComparison.Ordinal);
        AssertNoCrash(server);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static void AssertNoCrash(ServerProcess server)
    {
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("BackgroundService failed", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }

    private async Task<(ServerProcess Server, HttpClient Http)> StartAsync(params string[] arguments)
    {
        var port = ServerProcess.FreePort();
        var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = DataDir,
        }.WithTestAccounts(admin: false, CcfsFactory.Vdn), [.. arguments, "--urls", $"http://127.0.0.1:{port}"]);
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await server.WaitUntilHealthyAsync(http);
        return (server, http);
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INF uploadFile 0 in (?<ms>\d+) ms: ")]
    private static partial Regex TextRequestLine();
}
