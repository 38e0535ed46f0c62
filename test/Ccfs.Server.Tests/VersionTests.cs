using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests;

/// <summary>One version for the whole product, from src/Directory.Build.props, wherever the server shows one.</summary>
public sealed class VersionTests
{
    [Fact]
    public void The_version_is_the_one_of_directory_build_props()
    {
        Assert.Equal(ServerCommandLineTests.ProductVersion(), CcfsVersion.Version);
    }

    [Fact]
    public async Task Metrics_carry_a_build_info_gauge_with_the_version()
    {
        using var factory = new CcfsFactory();

        var metrics = await factory.CreateClient().GetStringAsync("/metrics");

        var line = Assert.Single(metrics.Split('\n'), l => l.StartsWith("ccfs_build_info{", StringComparison.Ordinal));
        Assert.Contains($"version=\"{ServerCommandLineTests.ProductVersion()}\"", line, StringComparison.Ordinal);
        Assert.EndsWith(" 1", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_has_the_version()
    {
        using var factory = new CcfsFactory();

        var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

        Assert.Equal(ServerCommandLineTests.ProductVersion(), document.GetProperty("info").GetProperty("version").GetString());
    }
}
