using System.Net;
using System.Net.Sockets;

namespace Ccfs.Server.Events;

/// <summary>
/// Which addresses a webhook may be sent to. Unless private destinations are allowed, only public unicast addresses
/// are: not loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10, which holds
/// cloud metadata services), shared (100.64/10), unspecified, multicast, broadcast or reserved. The check is made on
/// the addresses a name resolves to, at the moment of connecting (<see cref="WebhookSender"/>), so a name that
/// resolves to a public address when the subscription is made and to a private one later is refused then.
/// </summary>
public sealed class DestinationPolicy(bool allowPrivate)
{
    public bool AllowsPrivate => allowPrivate;

    public bool Allows(IPAddress address) => allowPrivate || IsPublic(address);

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.Broadcast) || address.Equals(IPAddress.IPv6None))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (b[0] & 0xfe) == 0xfc
                || address.IsIPv6Teredo || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
                || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b));
        }

        return false;
    }
}
