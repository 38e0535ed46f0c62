using Ccfs.Server.Http;

namespace Ccfs.Server.Tests.Unit.Http;

public sealed class PlainHttpOnTlsPortTests
{
    [Fact]
    public void The_ports_watched_are_those_of_the_https_listeners()
    {
        var ports = PlainHttpOnTlsPort.PortsOf(["https://127.0.0.1:8443", "http://127.0.0.1:5080", "HTTPS://[::1]:9443/", "https://ccfs.example.com",
            "https://*:0", "https://[::1]"]);

        Assert.Equal([443, 8443, 9443], ports.Order());
    }
}
