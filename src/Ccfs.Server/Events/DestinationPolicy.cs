using System.Net;
using System.Net.Sockets;

namespace Ccfs.Server.Events;

/// <summary>
/// Which addresses a webhook may be sent to. Unless private destinations are allowed, only addresses IANA's
/// special-purpose registries call globally reachable are (<see cref="NotPublic"/>): not loopback, private, shared,
/// link-local (which holds cloud metadata services), documentation, benchmarking, unspecified, multicast, broadcast or
/// reserved, nor IPv6 prefixes that carry an IPv4 address a gateway reaches for it (NAT64, 6to4, IPv4-compatible). The
/// check is made on the addresses a name resolves to, at the moment of connecting (<see cref="WebhookSender"/>), so a
/// name that resolves to a public address when the subscription is made and to a private one later is refused then.
/// </summary>
public sealed class DestinationPolicy(bool allowPrivate)
{
    /// <summary>The ranges refused; docs/events.md lists them.</summary>
    public static readonly IReadOnlyList<IPNetwork> NotPublic =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
            "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
            "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
        }.Select(r => IPNetwork.Parse(r)),
    ];

    public bool AllowsPrivate => allowPrivate;

    public bool Allows(IPAddress address) => allowPrivate || IsPublic(address);

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }

        // A scope id is no part of the address's range (fe80::1%2 is in fe80::/10).
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        foreach (var range in NotPublic)
        {
            if (range.Contains(address))
            {
                return false;
            }
        }

        return true;
    }
}
