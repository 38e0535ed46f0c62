using System.Net.Security;
using System.Security.Cryptography;

namespace Ccfs.Client;

/// <summary>The HTTP handler a <see cref="CcfsClient"/> needs: TLS checked normally, pinned to a fingerprint, or not at all.</summary>
public static class CcfsHttpHandler
{
    public static SocketsHttpHandler Create(CcfsClientOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        var pinned = options.ServerCertificateSha256?.Replace(":", "", StringComparison.Ordinal).Trim();
        if (options.AcceptAnyServerCertificate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (!string.IsNullOrEmpty(pinned))
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null
                && string.Equals(Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)), pinned,
                    StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None;
        }

        return handler;
    }
}
