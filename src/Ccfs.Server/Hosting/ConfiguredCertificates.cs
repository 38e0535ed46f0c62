using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Hosting;

/// <summary>
/// Logs each certificate file the Kestrel configuration names (<c>Kestrel:Certificates:Default</c> and each endpoint's),
/// with its SHA-256 fingerprint, as the generated one is: the fingerprint is what a client pins (<c>ccfs --fingerprint</c>).
/// Kestrel loads the certificates itself; one this cannot read is left for Kestrel to report.
/// </summary>
public static partial class ConfiguredCertificates
{
    public static void Log(IConfiguration configuration, ILogger log)
    {
        var sections = new[] { configuration.GetSection("Kestrel:Certificates:Default") }
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e.GetSection("Certificate")));
        foreach (var section in sections)
        {
            if (section["Path"] is not { Length: > 0 } path)
            {
                continue;
            }

            try
            {
                using var certificate = section["KeyPath"] is { Length: > 0 } || !IsPkcs12(path)
                    ? X509CertificateLoader.LoadCertificateFromFile(path)
                    : X509CertificateLoader.LoadPkcs12FromFile(path, section["Password"]);
                SelfSignedCertificate.LogInUse(log, Path.GetFullPath(path), SelfSignedCertificate.Fingerprint(certificate));
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                LogUnreadable(log, path, e.Message);
            }
        }
    }

    private static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(LogLevel.Warning, "ccfs: the TLS certificate {Path} could not be read for its fingerprint ({Reason})")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason);
}
