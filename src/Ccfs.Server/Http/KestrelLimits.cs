using Ccfs.Server.Configuration;
using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ccfs.Server.Http;

/// <summary>
/// <c>Ccfs:Limits</c> applied to Kestrel: how many connections each listener keeps open (past it, new ones are closed
/// at once instead of the process running out of file descriptors), how long an idle connection or a slow header may
/// last, and the rate below which a request body is dropped.
/// </summary>
public static partial class KestrelLimits
{
    public const int DefaultMaxConnections = 4096;

    public static void Apply(KestrelServerOptions kestrel, CcfsSettings settings, Observability.CcfsMetrics metrics, ILoggerFactory loggers)
    {
        var limits = settings.Limits;
        var logger = loggers.CreateLogger(typeof(KestrelLimits).FullName!);
        var connections = MaxConnections(limits.MaxConnections, OpenFilesLimit(), settings.Listeners.Urls.Count, logger);
        var shares = new ConnectionShares(limits.MaxConnectionsPerAddress ?? Math.Max(1, connections / 4), TrustedProxies(settings.Auth),
            metrics.ConnectionsRefusedPerAddress, logger);
        var plainHttp = new PlainHttpOnTlsPort(PlainHttpOnTlsPort.TlsListenersOf(settings.Listeners.Urls), metrics.PlainHttpOnTlsPort,
            loggers.CreateLogger(typeof(PlainHttpOnTlsPort).FullName!));
        kestrel.ConfigureEndpointDefaults(listen => listen.Use(shares.Wrap).Use(plainHttp.Wrap));
        kestrel.Limits.MaxConcurrentConnections = connections;
        kestrel.Limits.MaxConcurrentUpgradedConnections = connections;
        kestrel.Limits.KeepAliveTimeout = limits.KeepAliveTimeout;
        kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        kestrel.Limits.MinRequestBodyDataRate = limits.MinRequestBodyRate == 0
            ? null
            : new MinDataRate(limits.MinRequestBodyRate, limits.MinRequestBodyRateGracePeriod);
    }

    /// <summary>The addresses exempt from the per-address share: the trusted proxies, through which every client comes.</summary>
    private static Func<System.Net.IPAddress, bool> TrustedProxies(AuthOptions auth)
    {
        if (auth.TrustedProxyHeader is not { Length: > 0 })
        {
            return _ => false;
        }

        if (auth.TrustedProxies.Count == 0)
        {
            return System.Net.IPAddress.IsLoopback;
        }

        var networks = auth.TrustedProxies.Select(p => System.Net.IPNetwork.TryParse(p, out var n) ? n
            : new System.Net.IPNetwork(System.Net.IPAddress.Parse(p), System.Net.IPAddress.Parse(p).GetAddressBytes().Length * 8)).ToList();
        return address => networks.Exists(n => n.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));
    }

    /// <summary>
    /// Descriptors kept for the process itself: an idle server already holds about 250 (two per loaded assembly, the
    /// catalog, the log), and uploads, deletes and the catalog open more.
    /// </summary>
    public const int ReservedDescriptors = 512;

    /// <summary>
    /// The connection limit of each listener: as configured (or <see cref="DefaultMaxConnections"/>), but never more than
    /// the file-descriptor limit allows. Past <see cref="ReservedDescriptors"/>, half the descriptors are left for
    /// connections, shared among the listeners, and half for the file each connection may have open (a download).
    /// </summary>
    internal static int MaxConnections(int? configured, long? openFilesLimit, int listeners, ILogger logger)
    {
        var wanted = configured ?? DefaultMaxConnections;
        if (openFilesLimit is not { } limit)
        {
            return wanted;
        }

        var ceiling = (int)Math.Clamp((limit - ReservedDescriptors) / 2 / Math.Max(1, listeners), 1, int.MaxValue);
        if (wanted <= ceiling)
        {
            return wanted;
        }

        LogLowered(logger, wanted, configured is null ? "by default" : "as configured", ceiling, limit, Math.Max(1, listeners));
        return ceiling;
    }

    /// <summary>The process's soft RLIMIT_NOFILE (.NET raises it to the hard limit at start), or null where there is none.</summary>
    private static long? OpenFilesLimit()
    {
        if (OperatingSystem.IsWindows() || LibC.GetResourceLimit(LibC.OpenFilesLimit, out var limit) != 0)
        {
            return null;
        }

        return limit.Current >= long.MaxValue ? null : (long)limit.Current;
    }

    [LoggerMessage(LogLevel.Warning, "Ccfs:Limits:MaxConnections is {Wanted} {Source}, more than the process's file-descriptor limit "
        + "of {OpenFilesLimit} leaves room for among {Listeners} listener(s); each listener keeps at most {Ceiling} connections open. "
        + "Raise the limit (ulimit -n, systemd LimitNOFILE=) to allow more.")]
    private static partial void LogLowered(ILogger logger, int wanted, string source, int ceiling, long openFilesLimit, int listeners);
}
