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
    /// <summary>The ranges refused, each with the name IANA's registries give it; docs/events.md lists them.</summary>
    public static readonly IReadOnlyList<(IPNetwork Range, string Name)> NotPublic =
    [
        .. new (string Range, string Name)[]
        {
            ("0.0.0.0/8", "this network"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "shared address space"), ("127.0.0.0/8", "loopback"),
            ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"), ("192.0.0.0/24", "protocol assignments"),
            ("192.0.2.0/24", "documentation"), ("192.88.99.0/24", "6to4 relays"), ("192.168.0.0/16", "private"),
            ("198.18.0.0/15", "benchmarking"), ("198.51.100.0/24", "documentation"), ("203.0.113.0/24", "documentation"),
            ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
            ("::/96", "unspecified, loopback and IPv4-compatible"), ("::ffff:0:0/96", "IPv4-mapped"), ("64:ff9b::/96", "NAT64"),
            ("64:ff9b:1::/48", "NAT64"), ("100::/64", "discard"), ("2001::/23", "protocol assignments"), ("2001:db8::/32", "documentation"),
            ("2002::/16", "6to4"), ("3fff::/20", "documentation"), ("5f00::/16", "SRv6"), ("fc00::/7", "unique local"),
            ("fe80::/10", "link-local"), ("fec0::/10", "site-local"), ("ff00::/8", "multicast"),
        }.Select(r => (IPNetwork.Parse(r.Range), r.Name)),
    ];

    public bool AllowsPrivate => allowPrivate;

    public bool Allows(IPAddress address) => allowPrivate || IsPublic(address);

    public static bool IsPublic(IPAddress address) => RefusedRange(address) is null;

    /// <summary>
    /// The refused range <paramref name="address"/> is in, as <c>192.0.2.0/24 (documentation)</c>; null for a public
    /// address. An IPv4-mapped address is looked up as the IPv4 address it carries.
    /// </summary>
    public static string? RefusedRange(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return $"{address.AddressFamily} (not an IP address)";
        }

        // A scope id is no part of the address's range (fe80::1%2 is in fe80::/10).
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        foreach (var (range, name) in NotPublic)
        {
            if (range.Contains(address))
            {
                return $"{range} ({name})";
            }
        }

        return null;
    }
}
