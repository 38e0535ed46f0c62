using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ccfs.Client;
using Ccfs.Protocol.Development;
using Microsoft.Extensions.DependencyInjection;

namespace Ccfs.Client.Tests.Process;

/// <summary>A <see cref="DevelopmentHttpsServer"/> shared by a test class.</summary>
public sealed class DevelopmentServerFixture : DevelopmentHttpsServer, IAsyncLifetime;

/// <summary>
/// The SDK's development preset reaches a local development server over HTTPS as the CLI does: the development
/// account, and the server's generated certificate trusted by the fingerprint it shared. Any certificate the SDK
/// refuses is a <see cref="CcfsCertificateException"/> that names the certificates and the option to use.
/// </summary>
public sealed class DevelopmentServerTests(DevelopmentServerFixture server) : IClassFixture<DevelopmentServerFixture>, IDisposable
{
    private static readonly string Wav = TestData.Audio("valid", "alaw-8k-sine.wav");
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("ccfs-sdk-elsewhere").FullName;

    [Fact]
    public void The_preset_is_the_development_endpoint_and_account()
    {
        var options = CcfsClientOptions.Development();

        Assert.Equal(new Uri("https://127.0.0.1:8443"), options.Endpoint);
        Assert.Equal(("ccfs-dev-ak", "ccfs-dev-sk-not-for-production"), (options.AccessKey, options.SecretKey));
        Assert.Equal(1, CcfsClientOptions.DevelopmentVdnId);
        Assert.True(options.TrustDevelopmentCertificates);
        Assert.False(options.AcceptAnyServerCertificate);
    }

    [Fact]
    public async Task The_preset_uploads_to_a_development_server_by_the_certificate_it_shared()
    {
        var client = new CcfsClient(Preset(DevelopmentTrust.DefaultFiles(server.Home, _elsewhere)));

        var upload = await client.UploadAsync(Wav, CcfsClientOptions.DevelopmentVdnId);
        var hash = await client.GetFileHashAsync(upload.Data!.FileName);

        Assert.True(upload.IsSuccess, $"{upload.ResultCode} {upload.Reason}");
        Assert.StartsWith("Y:/3rdfile/1/thirdvoicebotfile/", upload.Data.FileName, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Wav))), hash.Data!.Hash);
    }

    [Fact]
    public async Task The_preset_configured_through_dependency_injection_uploads_too()
    {
        var services = new ServiceCollection();
        services.AddCcfsClient(o =>
        {
            o.UseDevelopmentServer();
            o.Endpoint = new Uri(server.Endpoint);
            o.DevelopmentCertificateFiles = DevelopmentTrust.DefaultFiles(server.Home, _elsewhere);
        });
        using var provider = services.BuildServiceProvider();

        var upload = await provider.GetRequiredService<CcfsClient>().UploadAsync(Wav, CcfsClientOptions.DevelopmentVdnId);

        Assert.True(upload.IsSuccess, $"{upload.ResultCode} {upload.Reason}");
    }

    [Fact]
    public async Task Without_the_preset_the_self_signed_certificate_is_refused_saying_which_option_trusts_it()
    {
        var options = new CcfsClientOptions
        {
            Endpoint = new Uri(server.Endpoint),
            AccessKey = DevelopmentServer.AccessKey,
            SecretKey = DevelopmentServer.SecretKey,
        };

        var refused = await Assert.ThrowsAsync<CcfsCertificateException>(() => new CcfsClient(options).UploadAsync(Wav, 1));

        Assert.Equal(await ServerFingerprintAsync(), refused.PresentedSha256);
        Assert.Contains($"(SHA-256 {DevelopmentCertificateFile.WithColons(refused.PresentedSha256!)}) is not trusted", refused.Message,
            StringComparison.Ordinal);
        Assert.Contains("CcfsClientOptions.Development()", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ServerCertificateSha256", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shared_certificate_other_than_the_servers_is_refused_naming_both_fingerprints()
    {
        var other = Path.Combine(_elsewhere, "other.pem");
        using var stranger = Stranger();
        await File.WriteAllTextAsync(other, stranger.ExportCertificatePem());

        var refused = await Assert.ThrowsAsync<CcfsCertificateException>(() => new CcfsClient(Preset([other])).GetFileHashAsync(
            "Y:/3rdfile/1/thirdvoicebotfile/abcdefgh_1.wav"));

        var strangerSha256 = Convert.ToHexString(stranger.GetCertHash(HashAlgorithmName.SHA256));
        Assert.Equal(strangerSha256, Assert.Single(refused.DevelopmentCertificates!).Sha256);
        Assert.Contains($"{other} (SHA-256 {DevelopmentCertificateFile.WithColons(strangerSha256)})", refused.Message, StringComparison.Ordinal);
        Assert.Contains(DevelopmentCertificateFile.WithColons(await ServerFingerprintAsync()), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pinned_fingerprint_is_trusted_and_another_one_refused()
    {
        var pinned = new CcfsClientOptions
        {
            Endpoint = new Uri(server.Endpoint),
            AccessKey = DevelopmentServer.AccessKey,
            SecretKey = DevelopmentServer.SecretKey,
            ServerCertificateSha256 = DevelopmentCertificateFile.WithColons(await ServerFingerprintAsync())
        };
        using var stranger = Stranger();
        var wrong = new CcfsClientOptions
        {
            Endpoint = pinned.Endpoint,
            AccessKey = pinned.AccessKey,
            SecretKey = pinned.SecretKey,
            ServerCertificateSha256 = Convert.ToHexString(stranger.GetCertHash(HashAlgorithmName.SHA256))
        };

        var upload = await new CcfsClient(pinned).UploadAsync(Wav, 1);
        var refused = await Assert.ThrowsAsync<CcfsCertificateException>(() => new CcfsClient(wrong).UploadAsync(Wav, 1));

        Assert.True(upload.IsSuccess, $"{upload.ResultCode} {upload.Reason}");
        Assert.Equal(wrong.ServerCertificateSha256, refused.PinnedSha256);
        Assert.Contains("is not the one CcfsClientOptions.ServerCertificateSha256 pins", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://127.0.0.1:8443", true)]
    [InlineData("https://localhost:8443", true)]
    [InlineData("https://[::1]:8443", true)]
    [InlineData("https://10.0.0.1:8443", false)]
    [InlineData("https://ccfs.example:8443", false)]
    public async Task Development_certificates_count_for_loopback_endpoints_only(string endpoint, bool trusted)
    {
        var file = Path.Combine(_elsewhere, "dev.pem");
        using var development = Stranger();
        await File.WriteAllTextAsync(file, development.ExportCertificatePem());
        var options = CcfsClientOptions.Development();
        options.Endpoint = new Uri(endpoint);
        options.DevelopmentCertificateFiles = [file];
        var check = CcfsHttpHandler.Create(options).SslOptions.RemoteCertificateValidationCallback!;

        if (trusted)
        {
            Assert.True(check(new object(), development, null, SslPolicyErrors.RemoteCertificateChainErrors));
        }
        else
        {
            var refused = Assert.Throws<CcfsCertificateException>(() => check(new object(), development, null, SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.Null(refused.DevelopmentCertificates);
        }
    }

    public void Dispose() => Directory.Delete(_elsewhere, recursive: true);

    private CcfsClientOptions Preset(IReadOnlyList<string> developmentFiles)
    {
        var options = CcfsClientOptions.Development();
        options.Endpoint = new Uri(server.Endpoint);
        options.DevelopmentCertificateFiles = developmentFiles;
        return options;
    }

    private static X509Certificate2 Stranger()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=ccfs self-signed", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private async Task<string> ServerFingerprintAsync() =>
        DevelopmentCertificateFile.Sha256Of(await File.ReadAllTextAsync(Path.Combine(server.DataDir, "tls", "ccfs-selfsigned.pem")))!;
}
