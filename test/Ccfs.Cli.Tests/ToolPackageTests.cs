namespace Ccfs.Cli.Tests;

/// <summary>
/// <c>dotnet pack</c> makes a dotnet tool that installs into a tool path and runs as <c>ccfs</c>, the local CC-FS
/// (<c>ccfs serve</c>) included: no source tree needed.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class ToolPackageTests(PackedSolution packed) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-tool").FullName;

    [Fact]
    public async Task The_packed_tool_installs_prints_its_help_and_serves_a_local_cc_fs()
    {
        var tools = Path.Combine(_work, "tools");

        var install = await RunAsync("dotnet", "tool", "install", "Ccfs.Cli", "--tool-path", tools, "--add-source", packed.Feed,
            "--version", packed.Version, "--ignore-failed-sources");
        var help = await RunAsync(Path.Combine(tools, OperatingSystem.IsWindows() ? "ccfs.exe" : "ccfs"), "--help");

        Assert.True(install.ExitCode == 0, install.Output);
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Equal(["upload", "convert", "check", "delete", "hash", "download", "sign", "conformance", "bench", "admin", "events", "faults", "journal", "healthcheck",
            "serve"], Commands(help.Output));

        var ccfs = Path.Combine(tools, OperatingSystem.IsWindows() ? "ccfs.exe" : "ccfs");
        var endpoint = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        await using var server = ServerProcess.StartExecutable(ccfs, new Dictionary<string, string>(), "serve", "--ephemeral", "--urls", endpoint);
        using (var http = new HttpClient { BaseAddress = new Uri(endpoint) })
        {
            await server.WaitUntilHealthyAsync(http);
        }

        var upload = await RunAsync(ccfs, "upload", "--endpoint", endpoint, TestData.Audio("valid", "alaw-8k-sine.wav"));
        await server.TerminateAsync();

        Assert.True(upload.ExitCode == 0, upload.Output);
        Assert.StartsWith("Y:/3rdfile/1/thirdvoicebotfile/", upload.Output, StringComparison.Ordinal);
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(0, server.ExitCode);
    }

    /// <summary>
    /// The first word of each line of help's "Commands:" section. The description above it names interfaces such as
    /// uploadFile, so finding a command's name anywhere in the help would prove nothing.
    /// </summary>
    private static List<string> Commands(string help) =>
        [.. help.Split('\n').SkipWhile(line => line.Trim() != "Commands:").Skip(1)
            .TakeWhile(line => line.StartsWith("  ", StringComparison.Ordinal))
            .Select(line => line.Trim().Split(' ')[0])];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static Task<(int ExitCode, string Output)> RunAsync(string file, params string[] arguments) =>
        PackedSolution.RunAsync(Path.GetTempPath(), file, arguments);
}
