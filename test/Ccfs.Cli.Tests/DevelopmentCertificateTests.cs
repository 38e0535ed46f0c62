using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ccfs.Cli.Tests;

/// <summary>
/// A development server over HTTPS on loopback, started in a folder of its own (its data in ./ccfs-data) with a home of
/// its own (where it shares its certificate as ~/.ccfs/dev-certificate.pem).
/// </summary>
public sealed class DevelopmentHttpsServer : IAsyncLifetime
{
    private ServerProcess? _process;

    public string Work { get; } = Directory.CreateTempSubdirectory("ccfs-devcert").FullName;

    public string Home => Path.Combine(Work, "home");

    public string DataDir => Path.Combine(Work, "ccfs-data");

    public string Endpoint { get; } = $"https://127.0.0.1:{ServerProcess.FreePort()}";

    public string SharedCertificate => Path.Combine(Home, ".ccfs", "dev-certificate.pem");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        _process = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = DataDir, ["HOME"] = Home }, "--urls", Endpoint);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(Endpoint) };
        await _process.WaitUntilHealthyAsync(http);
    }

    public async Task DisposeAsync()
    {
        await _process!.DisposeAsync();
        Directory.Delete(Work, recursive: true);
    }
}

/// <summary>
/// <c>ccfs</c> talks to a local development server without <c>--insecure</c>: it trusts the certificate that server
/// generated, found by its fingerprint, and nothing else it was not told to trust.
/// </summary>
public sealed class DevelopmentCertificateTests(DevelopmentHttpsServer server) : IClassFixture<DevelopmentHttpsServer>, IDisposable
{
    private static readonly string Wav = TestData.Audio("valid", "alaw-8k-sine.wav");
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("ccfs-elsewhere").FullName;

    [Fact]
    public async Task The_certificate_the_server_shared_in_the_home_is_trusted()
    {
        var upload = await Cli.RunInAsync(_elsewhere, Environment(server.Home), "upload", Wav);

        Assert.True(upload.ExitCode == ExitCodes.Success, upload.Error);
        Assert.StartsWith("Y:/3rdfile/1/thirdvoicebotfile/", upload.Out, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(server.DataDir, "tls", "ccfs-selfsigned.pem")),
            await File.ReadAllTextAsync(server.SharedCertificate));
    }

    [Fact]
    public async Task The_certificate_in_ccfs_data_of_the_working_directory_is_trusted()
    {
        var upload = await Cli.RunInAsync(server.Work, Environment(_elsewhere), "upload", Wav);

        Assert.True(upload.ExitCode == ExitCodes.Success, upload.Error);
    }

    [Fact]
    public async Task Another_certificate_in_the_well_known_file_is_refused_naming_both_fingerprints()
    {
        var other = Path.Combine(_elsewhere, ".ccfs", "dev-certificate.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(other)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = new CertificateRequest("CN=ccfs self-signed", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllTextAsync(other, stranger.ExportCertificatePem());

        var upload = await Cli.RunInAsync(_elsewhere, Environment(_elsewhere), "upload", Wav);

        Assert.Equal(ExitCodes.Unreachable, upload.ExitCode);
        Assert.Contains("the server's TLS certificate (SHA-256 " + Colons(await ServerFingerprintAsync()) + ") is not trusted", upload.Error,
            StringComparison.Ordinal);
        Assert.Contains($"in {other} (SHA-256 {Colons(Convert.ToHexString(stranger.GetCertHash(HashAlgorithmName.SHA256)))})", upload.Error,
            StringComparison.Ordinal);
        Assert.Contains("--fingerprint", upload.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_development_certificate_the_server_is_not_trusted()
    {
        var upload = await Cli.RunInAsync(_elsewhere, Environment(_elsewhere), "upload", Wav);

        Assert.Equal(ExitCodes.Unreachable, upload.ExitCode);
        Assert.Contains("--fingerprint", upload.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://10.0.0.1:8443")]
    [InlineData("https://ccfs.example:8443")]
    [InlineData("http://127.0.0.1:8443")]
    public void Development_certificates_count_only_for_https_on_loopback(string endpoint)
    {
        var console = new CliConsole(TextWriter.Null, TextWriter.Null, Environment(server.Home), server.Work);

        Assert.NotEmpty(DevelopmentCertificate.Find(new Uri(server.Endpoint), console));
        Assert.Empty(DevelopmentCertificate.Find(new Uri(endpoint), console));
    }

    public void Dispose() => Directory.Delete(_elsewhere, recursive: true);

    private Dictionary<string, string?> Environment(string home) => new() { ["CCFS_ENDPOINT"] = server.Endpoint, ["HOME"] = home };

    private async Task<string> ServerFingerprintAsync()
    {
        var pem = await File.ReadAllTextAsync(Path.Combine(server.DataDir, "tls", "ccfs-selfsigned.pem"));
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }

    private static string Colons(string hex) => string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
}
