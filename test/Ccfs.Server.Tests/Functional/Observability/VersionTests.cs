using System.Text.Json;

namespace Ccfs.Server.Tests.Functional.Observability;

/// <summary>One version for the whole product, from src/Directory.Build.props, wherever the running server shows one.</summary>
public sealed class VersionTests
{
    [Fact]
    public async Task Metrics_carry_a_build_info_gauge_with_the_version()
    {
        using var factory = new CcfsFactory();

        var metrics = await factory.CreateClient().GetStringAsync("/metrics");

        var line = Assert.Single(metrics.Split('\n'), l => l.StartsWith("ccfs_build_info{", StringComparison.Ordinal));
        Assert.Contains($"version=\"{ProductVersion.Read()}\"", line, StringComparison.Ordinal);
        Assert.EndsWith(" 1", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_has_the_version()
    {
        using var factory = new CcfsFactory();

        var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

        Assert.Equal(ProductVersion.Read(), document.GetProperty("info").GetProperty("version").GetString());
    }
}
