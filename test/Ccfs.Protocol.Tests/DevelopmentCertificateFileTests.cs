using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ccfs.Protocol.Development;

namespace Ccfs.Protocol.Tests;

/// <summary>
/// ~/.ccfs/dev-certificate.pem keeps the certificate of every development server still running: a server adds its own
/// and drops those of servers that are gone, never one whose process lives; the owner lines do not disturb PEM readers.
/// </summary>
public sealed class DevelopmentCertificateFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ccfs-devcert-file").FullName;

    private string SharedFile => Path.Combine(_folder, ".ccfs", "dev-certificate.pem");

    [Fact]
    public async Task Sharing_keeps_a_live_servers_certificate_drops_a_dead_ones_and_replaces_its_own()
    {
        using var live = Process.Start("sleep", "60");
        using var dead = Process.Start("true");
        await dead.WaitForExitAsync();
        var liveOwner = Owner(live, "https://127.0.0.1:9001");
        var deadOwner = new DevelopmentCertificateOwner(dead.Id, DateTimeOffset.UtcNow.AddMinutes(-1), ["https://127.0.0.1:9002"]);
        var self = DevelopmentCertificateOwner.Current(["https://127.0.0.1:9003"]);
        var (livePem, deadPem, oldPem, newPem) = (Pem(), Pem(), Pem(), Pem());
        try
        {
            DevelopmentCertificateFile.Share(SharedFile, livePem, liveOwner);
            DevelopmentCertificateFile.Share(SharedFile, deadPem, deadOwner);
            DevelopmentCertificateFile.Share(SharedFile, oldPem, self);

            DevelopmentCertificateFile.Share(SharedFile, newPem, self);

            var shared = DevelopmentCertificateFile.Read(SharedFile);
            Assert.Equal([Sha256(livePem), Sha256(newPem)], shared.Select(c => c.Sha256));
            Assert.Equal(live.Id, shared[0].Owner!.ProcessId);
            Assert.Equal(["https://127.0.0.1:9003"], shared[1].Owner!.Endpoints);
        }
        finally
        {
            live.Kill();
        }
    }

    [Fact]
    public void Withdrawing_the_last_certificate_removes_the_file()
    {
        var self = DevelopmentCertificateOwner.Current(["https://127.0.0.1:9003"]);
        DevelopmentCertificateFile.Share(SharedFile, Pem(), self);
        Assert.True(File.Exists(SharedFile));

        DevelopmentCertificateFile.Withdraw(SharedFile, self);

        Assert.False(File.Exists(SharedFile));
        Assert.Empty(DevelopmentCertificateFile.Read(SharedFile));
    }

    [Fact]
    public async Task The_owner_lines_leave_the_file_a_pem_bundle_that_openssl_reads()
    {
        var pem = Pem();
        DevelopmentCertificateFile.Share(SharedFile, pem, DevelopmentCertificateOwner.Current(["https://127.0.0.1:9003"]));

        using var fromFile = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(SharedFile));
        using var openssl = Process.Start(new ProcessStartInfo("openssl", ["x509", "-in", SharedFile, "-noout", "-fingerprint", "-sha256"])
        {
            RedirectStandardOutput = true,
        })!;
        var printed = await openssl.StandardOutput.ReadToEndAsync();
        await openssl.WaitForExitAsync();

        Assert.Equal(Sha256(pem), Convert.ToHexString(fromFile.GetCertHash(HashAlgorithmName.SHA256)));
        Assert.Contains(DevelopmentCertificateFile.WithColons(Sha256(pem)), printed, StringComparison.Ordinal);
        Assert.StartsWith("ccfs development server: process " + Environment.ProcessId + " started ", await File.ReadAllTextAsync(SharedFile),
            StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static DevelopmentCertificateOwner Owner(Process process, string endpoint) =>
        new(process.Id, new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero), [endpoint]);

    private static string Sha256(string pem) => DevelopmentCertificateFile.Sha256Of(pem)!;

    private static string Pem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=ccfs self-signed", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }
}
