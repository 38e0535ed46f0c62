using System.Net;
using Ccfs.Server.Http;

namespace Ccfs.Server.Tests.Unit.Http;

public sealed class PlainHttpOnTlsPortTests
{
    [Fact]
    public void The_listeners_watched_are_the_https_ones_with_their_address_when_it_is_a_literal()
    {
        var listeners = PlainHttpOnTlsPort.TlsListenersOf(["https://127.0.0.1:8443", "http://127.0.0.1:5080", "HTTPS://[::1]:9443/",
            "https://ccfs.example.com", "https://*:0", "https://0.0.0.0:7443", "https://[::]:6443"]);

        Assert.Equal([(null, 443), (null, 6443), (null, 7443), (IPAddress.Loopback, 8443), (IPAddress.IPv6Loopback, 9443)],
            listeners.OrderBy(l => l.Port));
    }
}
