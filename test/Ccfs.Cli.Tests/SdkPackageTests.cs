using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Ccfs.Cli.Tests;

/// <summary>
/// The packages install as docs/sdk.md says: <c>dotnet pack</c> of the solution makes Ccfs.Protocol, Ccfs.Audio,
/// Ccfs.Client, Ccfs.Server, Ccfs.Testing and the ccfs tool, of one version, with their metadata and symbols; Ccfs.Client alone, added from that
/// folder to a new console project, runs the sample of docs/sdk.md as written against a development server.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class SdkPackageTests(PackedSolution packed, DevelopmentServerFixture server) : IClassFixture<DevelopmentServerFixture>
{
    [Fact]
    public void The_solution_packs_the_six_packages_of_one_version_with_license_repository_readme_and_symbols()
    {
        string[] ids = ["Ccfs.Audio", "Ccfs.Cli", "Ccfs.Client", "Ccfs.Protocol", "Ccfs.Server", "Ccfs.Testing"];

        Assert.Equal([.. ids.SelectMany(id => new[] { $"{id}.{packed.Version}.nupkg", $"{id}.{packed.Version}.snupkg" })],
            Directory.GetFiles(packed.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var id in ids)
        {
            using var package = ZipFile.OpenRead(Path.Combine(packed.Feed, $"{id}.{packed.Version}.nupkg"));
            var nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open()).Root!;
            // The schema version in the namespace depends on the features a package uses.
            var ns = nuspec.Name.Namespace;
            var metadata = nuspec.Element(ns + "metadata")!;
            Assert.Equal(packed.Version, metadata.Element(ns + "version")!.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
            Assert.StartsWith("https://", metadata.Element(ns + "repository")!.Attribute("url")!.Value, StringComparison.Ordinal);
            Assert.NotNull(package.GetEntry(metadata.Element(ns + "readme")!.Value));
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")!.Value));
            foreach (var dependency in metadata.Descendants(ns + "dependency").Where(d => d.Attribute("id")!.Value.StartsWith("Ccfs.", StringComparison.Ordinal)))
            {
                Assert.Equal(packed.Version, dependency.Attribute("version")!.Value);
            }

            using var symbols = ZipFile.OpenRead(Path.Combine(packed.Feed, $"{id}.{packed.Version}.snupkg"));
            Assert.Contains(symbols.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
        }

        using var client = ZipFile.OpenRead(Path.Combine(packed.Feed, $"Ccfs.Client.{packed.Version}.nupkg"));
        var clientDependencies = XDocument.Load(client.GetEntry("Ccfs.Client.nuspec")!.Open()).Descendants()
            .Where(e => e.Name.LocalName == "dependency").Select(d => d.Attribute("id")!.Value).ToList();
        Assert.Contains("Ccfs.Protocol", clientDependencies);
        Assert.DoesNotContain("Ccfs.Server", clientDependencies);

        using var testing = ZipFile.OpenRead(Path.Combine(packed.Feed, $"Ccfs.Testing.{packed.Version}.nupkg"));
        var testingDependencies = XDocument.Load(testing.GetEntry("Ccfs.Testing.nuspec")!.Open()).Descendants()
            .Where(e => e.Name.LocalName == "dependency").Select(d => d.Attribute("id")!.Value).ToList();
        Assert.Contains("Ccfs.Server", testingDependencies);
        Assert.Contains("Ccfs.Client", testingDependencies);
        Assert.DoesNotContain(testingDependencies, d => d.StartsWith("xunit", StringComparison.OrdinalIgnoreCase)
            || d.StartsWith("NUnit", StringComparison.OrdinalIgnoreCase) || d.StartsWith("MSTest", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Ccfs_Client_alone_installs_into_a_new_project_and_runs_the_sample_of_docs_sdk_md()
    {
        var project = Path.Combine(packed.Work, "voicebot");
        var wav = TestData.Audio("valid", "alaw-8k-sine.wav");

        var created = await PackedSolution.RunAsync(packed.Work, "dotnet", "new", "console", "-o", project);
        Assert.True(created.ExitCode == 0, created.Output);
        // The steps of docs/sdk.md: a nuget.config in the project that names the folder of packages, then the package.
        foreach (var step in new[]
        {
            new[] { "new", "nugetconfig" },
            ["nuget", "add", "source", packed.Feed, "--name", "ccfs", "--configfile", "nuget.config"],
            ["add", "package", "Ccfs.Client", "--version", packed.Version],
        })
        {
            var done = await PackedSolution.RunAsync(project, "dotnet", step);
            Assert.True(done.ExitCode == 0, $"dotnet {string.Join(' ', step)}: {done.Output}");
        }

        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), Sample());
        File.Copy(wav, Path.Combine(project, "prompt.wav"));

        var run = await PackedSolution.RunAsync(project, new Dictionary<string, string> { ["HOME"] = server.Home, ["CCFS_ENDPOINT"] = server.Endpoint },
            "dotnet", "run");

        Assert.True(run.ExitCode == 0, run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("Y:/3rdfile/1/thirdvoicebotfile/", lines[0], StringComparison.Ordinal);
        Assert.Contains("sha256 " + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(wav))), lines);
        Assert.Contains("deleted: 0", lines);
        Assert.Equal(await File.ReadAllBytesAsync(wav), await File.ReadAllBytesAsync(Path.Combine(project, "copy.wav")));
    }

    /// <summary>The C# block under the <c>sdk-sample</c> marker of docs/sdk.md, exactly as the reader sees it.</summary>
    private static string Sample()
    {
        var doc = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "docs", "sdk.md"));
        return SampleBlock().Match(doc) is { Success: true } sample ? sample.Groups["code"].Value
            : throw new InvalidOperationException("docs/sdk.md has no ```csharp block after <!-- sdk-sample");
    }

    [GeneratedRegex("<!-- sdk-sample[^>]*-->\\s*```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex SampleBlock();
}
