using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ccfs.Server.Configuration;

/// <summary>
/// The TLS certificate of the embedded default: self-signed for 127.0.0.1, ::1 and localhost, generated once into
/// the data dir (mode 0600) and reused until it nears expiry. Clients pin it by its SHA-256 fingerprint.
/// </summary>
public static partial class SelfSignedCertificate
{
    public static string PathIn(string dataDir) => Path.Combine(dataDir, "tls", "ccfs-selfsigned.pfx");

    /// <summary>The certificate alone, in PEM, for clients to trust (<c>curl --cacert</c>).</summary>
    public static string PemPathIn(string dataDir) => Path.Combine(dataDir, "tls", "ccfs-selfsigned.pem");

    public static X509Certificate2 LoadOrCreate(string dataDir)
    {
        var path = PathIn(dataDir);
        if (File.Exists(path))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
            if (existing.NotAfter > DateTime.UtcNow.AddDays(7))
            {
                if (!File.Exists(PemPathIn(dataDir)))
                {
                    File.WriteAllText(PemPathIn(dataDir), existing.ExportCertificatePem() + "\n");
                }

                return existing;
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ccfs self-signed", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        var pfx = created.Export(X509ContentType.Pfx);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            file.Write(pfx);
        }

        File.WriteAllText(PemPathIn(dataDir), created.ExportCertificatePem() + "\n");

        return X509CertificateLoader.LoadPkcs12(pfx, password: null);
    }

    /// <summary>The fingerprint as <c>AB:CD:…</c>, the form browsers and <c>openssl x509 -fingerprint -sha256</c> show.</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    [LoggerMessage(LogLevel.Information, "ccfs: TLS certificate {PemPath}, SHA-256 fingerprint {Fingerprint}")]
    public static partial void LogInUse(ILogger logger, string pemPath, string fingerprint);
}
