using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// One HTTP/1.1 connection on a raw socket, for what a well-behaved client never does: send headers and stop, trickle a
/// body, or hold a connection idle.
/// </summary>
internal sealed class RawHttp : IDisposable
{
    private readonly TcpClient _socket;
    private readonly MemoryStream _received = new();

    private RawHttp(TcpClient socket)
    {
        _socket = socket;
        Stream = socket.GetStream();
    }

    public NetworkStream Stream { get; }

    /// <summary>Everything read so far, as text.</summary>
    public string Received => Encoding.UTF8.GetString(_received.ToArray());

    /// <param name="port">The server's port on 127.0.0.1.</param>
    /// <param name="from">The client's own address, another loopback one (127.0.0.2, …) to act as a second client.</param>
    public static async Task<RawHttp> ConnectAsync(int port, IPAddress? from = null)
    {
        var socket = from is null ? new TcpClient() : new TcpClient(new IPEndPoint(from, 0));
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new RawHttp(socket);
    }

    /// <summary>
    /// The head of an upload of <paramref name="contentLength"/> bytes whose Authorization header is well-formed for
    /// <paramref name="accessKey"/>, in the clock window, and signs host, but whose signature is all zeroes: it passes
    /// every check that needs no body, and would fail the signature once the body were read.
    /// </summary>
    public static string UploadHead(int port, long contentLength, string accessKey = CcfsFactory.AccessKey, DateTimeOffset? signedAt = null,
        bool authorization = true)
    {
        var timestamp = AuthV2Timestamp.Format(signedAt ?? DateTimeOffset.UtcNow);
        var header = authorization ? $"Authorization: auth-v2/{accessKey}/{timestamp}/content-length;content-type;host/{new string('0', 64)}\r\n" : "";
        return $"POST {CcfsPaths.UploadFile}?vdnId={CcfsFactory.Vdn} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{header}"
            + $"Content-Type: {CcfsPaths.JsonContentType}\r\nContent-Length: {contentLength.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";
    }

    public Task SendAsync(string text) => Stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    /// <summary>
    /// Reads until the server closes the connection (a FIN, or a reset while bytes were unread) or <paramref name="bound"/>
    /// passes; true when it closed. The bound keeps a server that never answers from hanging the run.
    /// </summary>
    public async Task<bool> ReadUntilClosedAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await Stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return true;
                }

                _received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return true;
        }
    }

    /// <summary>
    /// Reads until the head of an answer (its status line and headers) arrived, and leaves the connection open; false when
    /// the server closed the connection first. Fails the test if neither happens within <paramref name="bound"/>.
    /// </summary>
    public async Task<bool> ReadAnswerHeadAsync(TimeSpan bound)
    {
        var answered = await TryReadAnswerHeadAsync(bound);
        if (answered is null)
        {
            Assert.Fail("the server neither answered nor closed the connection");
        }

        return answered == true;
    }

    /// <summary>As <see cref="ReadAnswerHeadAsync"/>, but null instead of a failure when nothing came within <paramref name="bound"/>.</summary>
    public async Task<bool?> TryReadAnswerHeadAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        var buffer = new byte[4096];
        while (!Received.Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read;
            try
            {
                read = await Stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
            {
                return false;
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            if (read == 0)
            {
                return false;
            }

            _received.Write(buffer, 0, read);
        }

        return true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _received.Dispose();
    }
}
