using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Prometheus;

namespace Ccfs.Server.Http;

/// <summary>
/// A plain HTTP request sent to an HTTPS port (<c>curl http://127.0.0.1:8443/…</c> against the quick start) fails the
/// TLS handshake: the client sees an empty reply and the server logs nothing above Debug. As nginx does ("The plain HTTP
/// request was sent to HTTPS port"), the first byte is looked at before TLS: a TLS client always opens with a handshake
/// record (0x16), a request line opens with a capital letter. Such a connection is answered 400 in plain text that
/// names the fix, then closed; a Warning per client address a minute and a counter say so.
/// </summary>
public sealed partial class PlainHttpOnTlsPort(IReadOnlySet<(IPAddress? Address, int Port)> tlsListeners, Counter answered, ILogger logger)
{
    /// <summary>As long as Kestrel gives a TLS handshake, so a client that sends nothing is not held longer than it would be.</summary>
    private static readonly TimeSpan FirstByteTimeout = TimeSpan.FromSeconds(10);

    /// <summary>What is read and dropped after the answer, so the client reads it instead of meeting a reset.</summary>
    private const int MaxDrainBytes = 1024 * 1024;

    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly Observability.LogGate<IPAddress> _logGate = new(TimeProvider.System);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (connection.LocalEndPoint is not IPEndPoint { Address: var local, Port: var port }
            || !(tlsListeners.Contains((null, port)) || tlsListeners.Contains((local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local, port))))
        {
            await next(connection);
            return;
        }

        var input = connection.Transport.Input;
        ReadResult read;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            timeout.CancelAfter(FirstByteTimeout);
            try
            {
                read = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                connection.Abort(new ConnectionAbortedException("no TLS handshake within 10 s"));
                return;
            }
            catch (IOException)
            {
                // Reset before a byte came (a TCP health check, a scanner): nothing to answer, nothing worth a log line.
                return;
            }
        }

        if (read.Buffer.IsEmpty || read.Buffer.FirstSpan[0] is < (byte)'A' or > (byte)'Z')
        {
            input.AdvanceTo(read.Buffer.Start);
            await next(connection);
            return;
        }

        input.AdvanceTo(read.Buffer.End);
        answered.Inc();
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        if (_logGate.Admits(address))
        {
            LogPlainHttp(logger, address.ToString(), port);
        }

        try
        {
            // Kestrel cannot half-close: completing the output closes the socket, and unread bytes would turn that into
            // a reset. So the answer is flushed, the request read and dropped, and only then the connection closed.
            await connection.Transport.Output.WriteAsync(Answer);
            await DrainAsync(connection);
        }
        catch (IOException)
        {
            // The client went away first.
        }
    };

    public static readonly byte[] Answer = AnswerBytes();

    private static byte[] AnswerBytes()
    {
        var text = "ccfs: this port serves HTTPS, and the request came as plain HTTP: send it again with https:// to the same host "
            + "and port (for the development server, its log names the certificate to trust).\n";
        var body = Encoding.UTF8.GetBytes(text);
        return [.. Encoding.ASCII.GetBytes("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n"), .. body];
    }

    private static async Task DrainAsync(ConnectionContext connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(DrainTimeout);
        long drained = 0;
        try
        {
            while (drained < MaxDrainBytes)
            {
                var read = await connection.Transport.Input.ReadAsync(timeout.Token);
                drained += read.Buffer.Length;
                connection.Transport.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The client neither closed nor stopped sending in time: the connection closes on it.
        }
    }

    /// <summary>
    /// The listeners that serve HTTPS, from their URLs: an IP literal's address and port, or only the port for a host
    /// name or a wildcard. A listener on port 0 has no port known in advance and is left out.
    /// </summary>
    public static IReadOnlySet<(IPAddress? Address, int Port)> TlsListenersOf(IEnumerable<string> urls)
    {
        var listeners = new HashSet<(IPAddress?, int)>();
        foreach (var url in urls.Where(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            var authority = url["https://".Length..].Split('/')[0];
            var colon = authority.LastIndexOf(':');
            var hasPort = colon >= 0 && colon > authority.LastIndexOf(']');
            var host = (hasPort ? authority[..colon] : authority).Trim('[', ']');
            var address = IPAddress.TryParse(host, out var literal) && !literal.Equals(IPAddress.Any) && !literal.Equals(IPAddress.IPv6Any)
                ? literal
                : null;
            if (!hasPort)
            {
                listeners.Add((address, 443));
            }
            else if (int.TryParse(authority.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) && port > 0)
            {
                listeners.Add((address, port));
            }
        }

        return listeners;
    }

    [LoggerMessage(LogLevel.Warning, "A plain HTTP request from {Address} came to the HTTPS port {Port}; it was answered 400 "
        + "'send it to https://'. More from this address in the next minute are counted (ccfs_plain_http_on_tls_port_total), not logged.")]
    private static partial void LogPlainHttp(ILogger logger, string address, int port);
}
