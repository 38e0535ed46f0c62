using System.Net;
using Ccfs.Server.Configuration;
using Microsoft.AspNetCore.HttpOverrides;

namespace Ccfs.Server.Auth;

public static class TrustedProxy
{
    /// <summary>
    /// With <c>Ccfs:Auth:TrustedProxyHeader</c>, the client address (which the IP lock and the audit see) is read from that
    /// header, but only on requests from <c>Ccfs:Auth:TrustedProxies</c> (loopback when none is named).
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

        app.UseForwardedHeaders(forwarded);
    }
}
