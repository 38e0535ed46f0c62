using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Ccfs.Client;

/// <summary>
/// The HTTP handler a <see cref="CcfsClient"/> needs: TLS checked normally, pinned to a fingerprint, or not at all, and
/// connections on which an early answer (an upload refused from its headers) is read rather than lost.
/// </summary>
public static class CcfsHttpHandler
{
    public static SocketsHttpHandler Create(CcfsClientOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectCallback = ConnectAsync };
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

    /// <summary>Connects as the handler would by default, and lets an answer that comes before the whole body is sent be read.</summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new EarlyAnswerStream(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
