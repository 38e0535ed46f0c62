using System.Globalization;

namespace Ccfs.Server.Tests.Process;

/// <summary>A SQLite catalog belongs to one process: a second server on the same data dir refuses to start and says why.</summary>
[Trait("Catalog", "Sqlite")]
public sealed class DataDirLockProcessTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-lock", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_second_server_process_on_the_same_data_dir_exits_2_naming_the_first_and_the_first_keeps_serving()
    {
        var port = ServerProcess.FreePort();
        await using var first = Start(port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await first.WaitUntilHealthyAsync(http);

        await using var second = Start(ServerProcess.FreePort());

        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(60)), second.Output);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"is in use by another ccfs process (pid {first.Id.ToString(CultureInfo.InvariantCulture)} on ", second.Output,
            StringComparison.Ordinal);
        var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine), "0", "success");
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

    private ServerProcess Start(int port) => ServerProcess.Start(new Dictionary<string, string>
    {
        ["Ccfs__DataDir"] = _dataDir,
    }.WithTestAccounts(admin: false, CcfsFactory.Vdn), "--urls", $"http://127.0.0.1:{port}");
}
