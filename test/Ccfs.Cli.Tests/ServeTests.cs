using System.Security.Cryptography;
using System.Text.Json;

namespace Ccfs.Cli.Tests;

/// <summary><c>ccfs serve</c>: the server from the CLI tool, as a CI job would run it.</summary>
public sealed class ServeTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("ccfs-serve-home").FullName;

    [Fact]
    public async Task Serve_ephemeral_takes_an_upload_without_insecure_and_removes_its_data_when_stopped()
    {
        var endpoint = $"https://127.0.0.1:{ServerProcess.FreePort()}";
        await using var server = ServerProcess.StartAssembly(ServerProcess.CliAssembly, new Dictionary<string, string> { ["HOME"] = _home },
            "serve", "--ephemeral", "--urls", endpoint);
        var shared = Path.Combine(_home, ".ccfs", "dev-certificate.pem");
        using var handler = new HttpClientHandler
        {
            // The probe trusts what the CLI will trust: the certificate the server shared, by its SHA-256.
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && File.Exists(shared)
                && certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(
                    System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(shared)).GetCertHash(HashAlgorithmName.SHA256)),
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(endpoint) };
        await server.WaitUntilHealthyAsync(http);
        var dataDir = DataDirOf(server);

        var upload = await Cli.RunAsync(new Dictionary<string, string?> { ["CCFS_ENDPOINT"] = endpoint, ["HOME"] = _home },
            "upload", TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.True(upload.ExitCode == ExitCodes.Success, upload.Error);
        var fileName = upload.Out.Trim();
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "ccfs-ephemeral-"), dataDir, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dataDir, "locations", "0", fileName[3..])), fileName);

        await server.TerminateAsync();

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(0, server.ExitCode);
        Assert.False(Directory.Exists(dataDir), dataDir);
        Assert.Contains("development account AK=ccfs-dev-ak", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_help_is_the_servers_help_and_starts_nothing()
    {
        await using var server = ServerProcess.StartAssembly(ServerProcess.CliAssembly, new Dictionary<string, string> { ["HOME"] = _home },
            "serve", "--help", "--ephemeral");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(0, server.ExitCode);
        Assert.Contains("usage: ccfs serve [options]", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_products_version()
    {
        var (code, output, _) = await Cli.RunAsync(new Dictionary<string, string?>(), "--version");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(Ccfs.Protocol.CcfsVersion.Version + "\n", output);
        Assert.Matches(@"^\d+\.\d+\.\d+$", Ccfs.Protocol.CcfsVersion.Version);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    /// <summary>The data dir the server announced in its start-up line (JSON, since its output is not a terminal).</summary>
    private static string DataDirOf(ServerProcess server)
    {
        var line = server.StandardOutput.Select(l => JsonDocument.Parse(l).RootElement)
            .First(l => l.GetProperty("Message").GetString()!.StartsWith("ccfs data in ", StringComparison.Ordinal));
        return line.GetProperty("State").GetProperty("DataDir").GetString()!;
    }
}
