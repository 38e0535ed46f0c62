using System.Text.RegularExpressions;

namespace Ccfs.Server.Tests;

/// <summary>The version src/Directory.Build.props gives the whole product, read where a release sets it.</summary>
internal static partial class ProductVersion
{
    public static string Read() =>
        VersionPrefix().Match(File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "src", "Directory.Build.props"))).Groups[1].Value;

    [GeneratedRegex("<VersionPrefix>([^<]+)</VersionPrefix>")]
    private static partial Regex VersionPrefix();
}
