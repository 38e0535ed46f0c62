using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Unit;

/// <summary>One version for the whole product: the one the code reports is the one src/Directory.Build.props sets.</summary>
public sealed class CcfsVersionTests
{
    [Fact]
    public void The_version_is_the_one_of_directory_build_props()
    {
        Assert.Equal(ProductVersion.Read(), CcfsVersion.Version);
    }
}
