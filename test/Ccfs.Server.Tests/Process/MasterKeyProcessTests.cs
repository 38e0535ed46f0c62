using System.Globalization;
using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// A node whose master key is not the catalog's, or whose key file others can read, refuses to start, with one line
/// saying so and exit code 2.
/// </summary>
public sealed class MasterKeyProcessTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-key", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_server_started_with_another_master_key_exits_2_naming_the_problem()
    {
        var port = ServerProcess.FreePort();
        await using (var first = Start(port, Key()))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await first.WaitUntilHealthyAsync(http);
            await first.TerminateAsync();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(60)), first.Output);
        }

        await using var second = Start(ServerProcess.FreePort(), Key());

        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(60)), second.Output);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("this node's master key is not the one the catalog's secret keys are sealed with", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_process_refuses_to_start_on_a_key_file_others_can_read()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        MasterKey.Load(Settings()).Dispose();
        var path = Path.Combine(_dataDir, MasterKey.FileName);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = _dataDir },
            "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(120)), server.Output);
        Assert.Equal(2, server.ExitCode);
        Assert.Contains("it must be 0600", server.Output, StringComparison.Ordinal);
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

    private CcfsSettings Settings() => CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(
        new Dictionary<string, string?> { ["Ccfs:DataDir"] = _dataDir }).Build());

    private static string Key() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private ServerProcess Start(int port, string masterKey) => ServerProcess.Start(new Dictionary<string, string>
    {
        ["Ccfs__DataDir"] = _dataDir,
        ["Ccfs__Security__MasterKey"] = masterKey,
    }.WithTestAccounts(admin: false, CcfsFactory.Vdn), "--urls", $"http://127.0.0.1:{port}");
}
