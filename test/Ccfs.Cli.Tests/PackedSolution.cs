using System.Diagnostics;

namespace Ccfs.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackedSolution>
{
    public const string Name = "packages";
}

/// <summary>
/// <c>dotnet pack Ccfs.slnx -c Release</c> into a folder used as a local feed, once for every package test: the
/// packages README and docs/sdk.md tell users to make. The version is the product's (<c>VersionPrefix</c>) with a suffix
/// of this run, so a package left in the NuGet cache by an earlier run, of the same version but older code, is never
/// installed in its place; the cache entries this run made are removed at the end.
/// </summary>
public sealed class PackedSolution : IAsyncLifetime
{
    private static readonly string[] PackageIds = ["Ccfs.Protocol", "Ccfs.Audio", "Ccfs.Client", "Ccfs.Cli", "Ccfs.Server", "Ccfs.Testing"];

    public string Work { get; } = Directory.CreateTempSubdirectory("ccfs-packages").FullName;

    public string Feed => Path.Combine(Work, "packages");

    public string Suffix { get; } = "test" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The version every package carries: the product's, with this run's suffix.</summary>
    public string Version => $"{Ccfs.Protocol.CcfsVersion.Version}-{Suffix}";

    public string PackOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var pack = await RunAsync(TestData.RepositoryRoot, "dotnet", "pack", Path.Combine(TestData.RepositoryRoot, "Ccfs.slnx"), "-c", "Release",
            "-o", Feed, "--version-suffix", Suffix, "--nologo");
        PackOutput = pack.Output;
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack Ccfs.slnx failed:\n" + pack.Output);
        }
    }

    public Task DisposeAsync()
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds)
        {
            var folder = Path.Combine(cache, id.ToLowerInvariant(), Version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        Directory.Delete(Work, recursive: true);
        return Task.CompletedTask;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string file, params string[] arguments) =>
        await RunAsync(workingDirectory, new Dictionary<string, string>(), file, arguments);

    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment,
        string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
