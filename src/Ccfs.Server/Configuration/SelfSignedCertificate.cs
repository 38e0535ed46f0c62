using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ccfs.Server.Configuration;

/// <summary>
/// The TLS certificate of the embedded default: self-signed for 127.0.0.1, ::1 and localhost, generated once into
/// the data dir (mode 0600) and reused until it nears expiry. Clients pin it by its SHA-256 fingerprint.
/// </summary>
public static partial class SelfSignedCertificate
{
    /// <summary>
    /// Where a development server leaves its certificate for clients on the same machine (<c>ccfs</c> trusts the
    /// certificate in it by its SHA-256, and only for loopback endpoints): <c>~/.ccfs/dev-certificate.pem</c>.
    /// </summary>
    public static string? SharedPemPath()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".ccfs", "dev-certificate.pem");
    }

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

    /// <summary>
    /// Writes the certificate (not its key) to <see cref="SharedPemPath"/>, replacing it whole, so <c>ccfs</c> trusts this
    /// server without <c>--insecure</c>. A home that cannot be written (a service account) only costs that convenience.
    /// </summary>
    public static void ShareWithLocalClients(X509Certificate2 certificate, ILogger log)
    {
        if (SharedPemPath() is not { } path)
        {
            return;
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(temporary, certificate.ExportCertificatePem() + "\n");
            File.Move(temporary, path, overwrite: true);
            LogShared(log, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            LogNotShared(log, path, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "ccfs: TLS certificate {PemPath}, SHA-256 fingerprint {Fingerprint}")]
    public static partial void LogInUse(ILogger logger, string pemPath, string fingerprint);

    [LoggerMessage(LogLevel.Information, "ccfs clients on this machine trust this certificate through {SharedPath}")]
    private static partial void LogShared(ILogger logger, string sharedPath);

    [LoggerMessage(LogLevel.Warning, "{SharedPath} could not be written ({Reason}); ccfs clients need --fingerprint to trust this server")]
    private static partial void LogNotShared(ILogger logger, string sharedPath, string reason);
}
