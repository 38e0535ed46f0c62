using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ccfs.Cli;

/// <summary>
/// A certificate a ccfs development server on this machine generated, which <c>ccfs</c> trusts for a loopback
/// <c>https</c> endpoint without <c>--insecure</c> or <c>--fingerprint</c>: <c>./ccfs-data/tls/ccfs-selfsigned.pem</c>
/// (a server started in this folder) and <c>~/.ccfs/dev-certificate.pem</c> (the last loopback-only server started
/// here, <c>ccfs serve</c> included). Trusted by its SHA-256 only, so any other certificate the machine does not
/// trust is still refused.
/// </summary>
public sealed record DevelopmentCertificate(string Path, string Sha256)
{
    public static IReadOnlyList<DevelopmentCertificate> Find(Uri endpoint, CliConsole console)
    {
        if (endpoint.Scheme != Uri.UriSchemeHttps || !endpoint.IsLoopback)
        {
            return [];
        }

        var home = console.Environment.GetValueOrDefault("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string?[] candidates =
        [
            System.IO.Path.Combine(console.WorkingDirectory, "ccfs-data", "tls", "ccfs-selfsigned.pem"),
            string.IsNullOrEmpty(home) ? null : System.IO.Path.Combine(home, ".ccfs", "dev-certificate.pem"),
        ];
        var found = new List<DevelopmentCertificate>();
        foreach (var path in candidates.OfType<string>())
        {
            if (Read(path) is { } certificate && !found.Exists(f => f.Sha256 == certificate.Sha256))
            {
                found.Add(certificate);
            }
        }

        return found;
    }

    /// <summary>Accepts what the machine trusts, or exactly one of <paramref name="trusted"/>; says which it expected otherwise.</summary>
    public static RemoteCertificateValidationCallback Validator(IReadOnlyList<DevelopmentCertificate> trusted) => (_, certificate, _, errors) =>
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null)
        {
            return false;
        }

        var presented = Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
        if (trusted.Any(t => t.Sha256 == presented))
        {
            return true;
        }

        // Thrown rather than answered false, so the message can name both fingerprints; the handler wraps it.
        throw new UntrustedCertificateException($"the server's TLS certificate (SHA-256 {Colons(presented)}) is not trusted: "
            + "it is not the development certificate "
            + string.Join(" or ", trusted.Select(t => $"in {t.Path} (SHA-256 {Colons(t.Sha256)})"))
            + ", and this machine does not trust it. If the server uses another data dir, pass --fingerprint with the "
            + "SHA-256 it printed");
    };

    private static DevelopmentCertificate? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "CERTIFICATE")
        {
            return null;
        }

        var der = new byte[fields.DecodedDataLength];
        return Convert.TryFromBase64Chars(text.AsSpan()[fields.Base64Data], der, out var written)
            ? new DevelopmentCertificate(path, Convert.ToHexString(SHA256.HashData(der.AsSpan(0, written))))
            : null;
    }

    private static string Colons(string hex) => string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
}

/// <summary>The server presented a certificate that neither the machine nor a local development certificate vouches for.</summary>
public sealed class UntrustedCertificateException(string message) : AuthenticationException(message);
