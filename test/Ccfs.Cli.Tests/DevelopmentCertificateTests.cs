using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ccfs.Protocol.Development;

namespace Ccfs.Cli.Tests;

/// <summary>
/// <c>ccfs</c> talks to a local development server without <c>--insecure</c>: it trusts the certificate that server
/// generated, found by its fingerprint, and nothing else it was not told to trust.
/// </summary>
public sealed class DevelopmentCertificateTests(DevelopmentServerFixture server) : IClassFixture<DevelopmentServerFixture>, IDisposable
{
    private static readonly string Wav = TestData.Audio("valid", "alaw-8k-sine.wav");
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("ccfs-elsewhere").FullName;

    [Fact]
    public async Task The_certificate_the_server_shared_in_the_home_is_trusted()
    {
        var upload = await Cli.RunInAsync(_elsewhere, Environment(server.Home), "upload", Wav);

        Assert.True(upload.ExitCode == ExitCodes.Success, upload.Error);
        Assert.StartsWith("Y:/3rdfile/1/thirdvoicebotfile/", upload.Out, StringComparison.Ordinal);
        var shared = Assert.Single(DevelopmentCertificateFile.Read(server.SharedCertificate));
        Assert.Equal(await ServerFingerprintAsync(), shared.Sha256);
        Assert.Equal(server.Endpoint, Assert.Single(shared.Owner!.Endpoints));
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

/// <summary>A <see cref="DevelopmentHttpsServer"/> shared by a test class.</summary>
public sealed class DevelopmentServerFixture : DevelopmentHttpsServer, IAsyncLifetime;
