using System.Net;

namespace Ccfs.Protocol.Development;

/// <summary>
/// The well-known development setup, in one place for the server (which serves it when no account is configured and
/// every listener is on loopback), the SDK's development preset and the CLI's defaults: where it listens and the
/// account it accepts. These keys open nothing but a server on this machine.
/// </summary>
public static class DevelopmentServer
{
    public const int Port = 8443;

    public const string Endpoint = "https://127.0.0.1:8443";

    public const string AccessKey = "ccfs-dev-ak";

    public const string SecretKey = "ccfs-dev-sk-not-for-production";

    /// <summary>The one VDN the development account may use.</summary>
    public const int VdnId = 1;

    /// <summary>
    /// True for <c>localhost</c>, 127.0.0.0/8 and ::1 (brackets allowed): the only hosts for which a development
    /// certificate is ever trusted, since only a server on this machine can present it.
    /// </summary>
    public static bool IsLoopbackHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address));
    }
}
