using System.Security.Cryptography;
using Ccfs.Server.Tests.Functional.Admin;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// <c>Ccfs.Server scrub [--repair]</c> as a process, on a data dir an in-process server filled: one line per problem, a
/// summary, and an exit code operators can script on.
/// </summary>
public sealed class ScrubProcessTests : IDisposable
{
    private readonly CcfsFactory _factory = ScrubAdminTests.PoolFactory();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Scrub_exits_1_on_a_corrupt_copy_then_scrub_repair_restores_it_and_exits_0()
    {
        var fileName = await _factory.Signed().StoreAsync(Samples.Sine);
        var corrupted = ScrubAdminTests.Corrupt(Samples.Sine);
        _factory.PutStored(fileName[3..], corrupted, "256");

        var (found, foundOutput) = await RunAsync("scrub");

        Assert.Equal(1, found);
        Assert.Contains($"corrupt {fileName} location 256: SHA-256 {Convert.ToHexStringLower(SHA256.HashData(corrupted))}", foundOutput,
            StringComparison.Ordinal);
        Assert.Contains("scrub: 1 file(s), 2 copies checked, 1 healthy; 1 problem(s), 0 repaired, 1 remaining", foundOutput, StringComparison.Ordinal);
        Assert.Equal(corrupted, _factory.ReadCopy(fileName, "256"));

        var (repaired, repairedOutput) = await RunAsync("scrub", "--repair");

        Assert.Equal(0, repaired);
        Assert.Contains($"corrupt {fileName} location 256 repaired:", repairedOutput, StringComparison.Ordinal);
        Assert.Contains("1 problem(s), 1 repaired, 0 remaining", repairedOutput, StringComparison.Ordinal);
        Assert.Equal(Samples.Sine, _factory.ReadCopy(fileName, "256"));

        var (clean, cleanOutput) = await RunAsync("scrub");

        Assert.Equal(0, clean);
        Assert.Contains("scrub: 1 file(s), 2 copies checked, 2 healthy; 0 problem(s)", cleanOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrub_of_a_data_dir_without_a_catalog_is_a_configuration_error_and_creates_nothing()
    {
        var empty = Path.Combine(_factory.DataDir, "elsewhere");

        var (exitCode, output) = await RunAsync(new Dictionary<string, string> { ["Ccfs__DataDir"] = empty }, "scrub");

        Assert.Equal(2, exitCode);
        Assert.Contains("there is no catalog at", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(empty));
    }

    [Fact]
    public async Task Scrub_with_a_bad_configuration_exits_2_with_the_server_command_line_in_its_usage()
    {
        var (exitCode, output) = await RunAsync(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _factory.DataDir,
            ["Ccfs__Parameters__DriveLetter"] = "YY",
        }, "scrub");

        Assert.Equal(2, exitCode);
        Assert.Contains("DriveLetter", output, StringComparison.Ordinal);
        Assert.Contains("usage: dotnet Ccfs.Server.dll scrub [--repair]", output, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(
        _factory.CatalogEnvironment().Concat(_factory.StoreEnvironment()))
    {
        ["Ccfs__DataDir"] = _factory.DataDir,
        ["Ccfs__Locations__0__Id"] = "0",
        ["Ccfs__Locations__1__Id"] = "256",
    }, arguments);

    private static async Task<(int ExitCode, string Output)> RunAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        await using var process = ServerProcess.Start(environment, arguments);
        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(120)), process.Output);
        return (process.ExitCode, process.Output);
    }
}
