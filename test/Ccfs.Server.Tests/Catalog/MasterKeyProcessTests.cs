using System.Globalization;

namespace Ccfs.Server.Tests.Catalog;

/// <summary>A node whose master key is not the catalog's refuses to start, with one line saying so and exit code 2.</summary>
[Trait("Tier", "Process")]
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

    private static string Key() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private ServerProcess Start(int port, string masterKey) => ServerProcess.Start(new Dictionary<string, string>
    {
        ["Ccfs__DataDir"] = _dataDir,
        ["Ccfs__Security__MasterKey"] = masterKey,
        ["Ccfs__Accounts__0__AccessKey"] = CcfsFactory.AccessKey,
        ["Ccfs__Accounts__0__SecretKey"] = CcfsFactory.SecretKey,
        ["Ccfs__Accounts__0__VdnIds__0"] = CcfsFactory.Vdn.ToString(CultureInfo.InvariantCulture),
    }, "--urls", $"http://127.0.0.1:{port}");
}
