using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Prometheus;

namespace Ccfs.Server.Http;

/// <summary>
/// Each client address may hold at most a share of a listener's connections (<c>Ccfs:Limits:MaxConnectionsPerAddress</c>,
/// by default a quarter of <c>MaxConnections</c>), so one client holding idle connections cannot shut everyone else out.
/// A connection past its address's share is closed at once, before any request is read. Trusted proxies (a load
/// balancer, through which every client comes) are exempt.
/// </summary>
public sealed partial class ConnectionShares(int perAddress, Func<IPAddress, bool> exempt, Counter refused, ILogger logger)
{
    private readonly ConcurrentDictionary<IPAddress, int> _open = new();
    private readonly Observability.LogGate<IPAddress> _logGate = new(TimeProvider.System);

    public int PerAddress => perAddress;

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (connection.RemoteEndPoint is not IPEndPoint { Address: var address } || exempt(address))
        {
            await next(connection);
            return;
        }

        var open = _open.AddOrUpdate(address, 1, (_, count) => count + 1);
        try
        {
            if (open > perAddress)
            {
                refused.Inc();
                if (_logGate.Admits(address))
                {
                    LogRefused(logger, address.ToString(), perAddress);
                }

                connection.Abort(new ConnectionAbortedException($"{address} already holds {perAddress} connections"));
                return;
            }

            await next(connection);
        }
        finally
        {
            if (_open.AddOrUpdate(address, 0, (_, count) => count - 1) <= 0)
            {
                _open.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
            }
        }
    };

    [LoggerMessage(LogLevel.Warning, "Closed a connection from {ClientIp}: it already holds {PerAddress} connections "
        + "(Ccfs:Limits:MaxConnectionsPerAddress); ccfs_connections_refused_per_address_total counts each, this line comes once a minute")]
    private static partial void LogRefused(ILogger logger, string clientIp, int perAddress);
}
