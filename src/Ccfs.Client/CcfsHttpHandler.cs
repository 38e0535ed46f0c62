using System.Net.Sockets;

namespace Ccfs.Client;

/// <summary>
/// The HTTP handler a <see cref="CcfsClient"/> needs: TLS checked normally, pinned to a fingerprint, trusting a local
/// development server's certificate, or not checked at all (<see cref="ServerCertificateCheck"/>), and
/// connections on which an early answer (an upload refused from its headers) is read rather than lost. Redirects are not
/// followed: a signed request's body and Host must never reach another origin.
/// </summary>
public static class CcfsHttpHandler
{
    public static SocketsHttpHandler Create(CcfsClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = ConnectAsync,
            AllowAutoRedirect = false,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = ServerCertificateCheck.For(options);
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
