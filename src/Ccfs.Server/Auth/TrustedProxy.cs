using System.Net;
using Ccfs.Server.Configuration;
using Ccfs.Server.Http;
using Microsoft.AspNetCore.HttpOverrides;

namespace Ccfs.Server.Auth;

public static partial class TrustedProxy
{
    /// <summary>The longest header value quoted back in a refusal.</summary>
    private const int QuotedLength = 64;

    /// <summary>
    /// With <c>Ccfs:Auth:TrustedProxyHeader</c>, the client address (which the IP lock and the audit see) is read from that
    /// header, but only on requests from <c>Ccfs:Auth:TrustedProxies</c> (loopback when none is named). A trusted proxy's
    /// header that names no address is refused with 400: charged to the proxy, its failures would lock out everyone
    /// behind it.
    /// </summary>
    public static void UseTrustedProxyHeader(this WebApplication app, AuthOptions auth)
    {
        if (auth.TrustedProxyHeader is not { Length: > 0 } header)
        {
            return;
        }

        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardedForHeaderName = header };
        if (auth.TrustedProxies.Count > 0)
        {
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
        }

        foreach (var proxy in auth.TrustedProxies)
        {
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(proxy, out var network)
                ? network
                : new System.Net.IPNetwork(IPAddress.Parse(proxy), IPAddress.Parse(proxy).GetAddressBytes().Length * 8));
        }

        var metrics = app.Services.GetRequiredService<Observability.CcfsMetrics>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TrustedProxy).FullName!);
        long lastLogged = 0;
        app.Use((http, next) =>
        {
            if (Unreadable(http, header, forwarded) is not { } value)
            {
                return next(http);
            }

            var quoted = value.Length > QuotedLength ? value[..QuotedLength] + "…" : value;
            metrics.AuthRejections.WithLabels("UnreadableForwardedFor").Inc();
            // At most a line a minute: a broken proxy sends this on every request.
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref lastLogged);
            if (now - last > 60_000 && Interlocked.CompareExchange(ref lastLogged, now, last) == last)
            {
                LogUnreadable(logger, header, http.Connection.RemoteIpAddress?.ToString() ?? "?", quoted);
            }

            return CcfsResults.Spring(StatusCodes.Status400BadRequest, $"the {header} header from the trusted proxy names no client address: "
                + $"'{quoted}'", "UnreadableForwardedFor").ExecuteAsync(http);
        });
        app.UseForwardedHeaders(forwarded);
    }

    /// <summary>The header's value when the peer is a trusted proxy and some address in it does not parse; null otherwise.</summary>
    private static string? Unreadable(HttpContext http, string header, ForwardedHeadersOptions forwarded)
    {
        if (!http.Request.Headers.TryGetValue(header, out var values) || http.Connection.RemoteIpAddress is not { } peer)
        {
            return null;
        }

        peer = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        if (!forwarded.KnownProxies.Contains(peer) && !forwarded.KnownIPNetworks.Any(n => n.Contains(peer)))
        {
            return null;
        }

        var value = values.ToString();
        foreach (var part in value.Split(','))
        {
            var address = part.Trim();
            if (!IPAddress.TryParse(address, out _) && !IPEndPoint.TryParse(address, out _))
            {
                return value;
            }
        }

        return null;
    }

    [LoggerMessage(LogLevel.Warning, "Refused a request whose {Header} header from the trusted proxy {Proxy} names no client address "
        + "('{Value}'); fix the proxy's configuration (counted in ccfs_auth_rejections_total{{reason=\"UnreadableForwardedFor\"}}; "
        + "logged at most once a minute)")]
    private static partial void LogUnreadable(ILogger logger, string header, string proxy, string value);
}
