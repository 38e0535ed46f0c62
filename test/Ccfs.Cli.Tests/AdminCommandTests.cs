using System.Text.Json;

namespace Ccfs.Cli.Tests;

/// <summary><c>ccfs admin</c> against a real server process: signed admin requests from the shell.</summary>
public sealed class AdminCommandTests(RunningServer server) : IClassFixture<RunningServer>
{
    [Fact]
    public async Task A_wav_goes_to_the_admin_upload_with_its_content_type()
    {
        var file = TestData.Audio("lint", "prompt-nominal.wav");

        var refused = await Cli.RunAsync(server.AdminEnvironment(), "admin", "POST", "/admin/api/vdns/55/files", "--data", "@" + file);
        var stored = await Cli.RunAsync(server.AdminEnvironment(), "admin", "POST", "/admin/api/vdns/55/files", "--data", "@" + file,
            "--content-type", "audio/wav");

        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.True(stored.ExitCode == ExitCodes.Success, stored.Error);
        var fileName = JsonDocument.Parse(stored.Out).RootElement.GetProperty("fileName").GetString()!;
        Assert.StartsWith("Y:/3rdfile/55/", fileName, StringComparison.Ordinal);
        Assert.True(server.HasCopy(fileName));
    }

    [Fact]
    public async Task An_admin_changes_a_parameter_and_reads_it_back()
    {
        var put = await Cli.RunAsync(server.AdminEnvironment(), "admin", "PUT", "/admin/api/parameters/vdns/55", "--data", """{"uploadSizeLimitMb":2}""");
        var get = await Cli.RunAsync(server.AdminEnvironment(), "admin", "get", "/admin/api/parameters");

        Assert.Equal(ExitCodes.Success, put.ExitCode);
        Assert.Equal(ExitCodes.Success, get.ExitCode);
        var vdn = JsonDocument.Parse(get.Out).RootElement.GetProperty("vdns").EnumerateArray().Single();
        Assert.Equal(2, vdn.GetProperty("effective").GetProperty("uploadSizeLimitMb").GetDecimal());
    }

    [Fact]
    public async Task A_body_can_come_from_a_file_and_a_refused_change_exits_1_with_the_problems()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"uploadSizeLimitMb":0}""");

        var result = await Cli.RunAsync(server.AdminEnvironment(), "admin", "PUT", "/admin/api/parameters", "-d", "@" + file);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.True(result.Out.Contains("uploadSizeLimitMb is 0", StringComparison.Ordinal), result.Out);
        Assert.Contains("HTTP 400", result.Error, StringComparison.Ordinal);
        File.Delete(file);
    }

    [Fact]
    public async Task A_non_admin_exits_3()
    {
        var result = await Cli.RunAsync(server.Environment(), "admin", "GET", "/admin/api/accounts");

        Assert.Equal(ExitCodes.AuthenticationRefused, result.ExitCode);
        Assert.Contains("not an administrator", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FETCH", "/admin/api/parameters")]
    [InlineData("GET", "admin/api/parameters")]
    public async Task Bad_usage_exits_2(string method, string path)
    {
        var result = await Cli.RunAsync(server.AdminEnvironment(), "admin", method, path);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
    }
}
