namespace Ccfs.Cli.Tests;

/// <summary><c>--location</c> of delete and hash against a server process in CTI pool mode.</summary>
public sealed class PoolModeCommandTests(RunningPoolServer server) : IClassFixture<RunningPoolServer>
{
    [Fact]
    public async Task Delete_with_a_location_removes_only_that_copy()
    {
        var name = (await Cli.RunAsync(server.Environment(), "upload", TestData.Audio("valid", "alaw-8k-sine.wav"))).Out.Trim();

        var deleted = await Cli.RunAsync(server.Environment(), "delete", name, "--location", "256");
        var hashAt256 = await Cli.RunAsync(server.Environment(), "hash", name, "--location", "256");
        var hashAt0 = await Cli.RunAsync(server.Environment(), "hash", name, "--location", "0");

        Assert.Equal((ExitCodes.Success, "deleted"), (deleted.ExitCode, deleted.Out.Trim()));
        Assert.False(server.HasCopy(name, "256"));
        Assert.True(server.HasCopy(name, "0"));
        Assert.Equal(ExitCodes.Failed, hashAt256.ExitCode);
        Assert.Contains("0300011", hashAt256.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, hashAt0.ExitCode);
    }

    [Fact]
    public async Task Delete_at_a_location_the_server_does_not_have_exits_1_with_0300004()
    {
        var name = (await Cli.RunAsync(server.Environment(), "upload", TestData.Audio("valid", "alaw-8k-sine.wav"))).Out.Trim();

        var result = await Cli.RunAsync(server.Environment(), "delete", name, "--location", "7");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("0300004 The format of locationId is incorrect.", result.Error, StringComparison.Ordinal);
        Assert.True(server.HasCopy(name, "256"));
    }
}
