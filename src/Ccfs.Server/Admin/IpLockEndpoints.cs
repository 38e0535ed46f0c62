using System.Net;
using Ccfs.Server.Auth;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Admin;

public sealed record IpLockList(IReadOnlyList<IpLock> Locks);

/// <summary>
/// The client addresses locked after repeated authentication failures, and lifting a lock before it ends:
/// <c>GET /admin/api/ip-locks</c> and <c>DELETE /admin/api/ip-locks/{address}</c>. A locked address is refused here too,
/// so a lock is lifted from another address. With a shared (PostgreSQL) catalog a lock and its lifting hold on every node.
/// </summary>
public static partial class IpLockEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/ip-locks", (IpLockout lockout) => AdminResults.Ok(new IpLockList(lockout.List())))
            .WithName("listIpLocks").WithSummary("Client addresses locked now after repeated authentication failures, and until when")
            .Produces<IpLockList>();
        admin.MapDelete("/ip-locks/{address}", Lift)
            .WithName("liftIpLock").WithSummary("Lift the lock on a client address at once and forget its failures")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<AdminError>(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Lift(string address, HttpContext http, IpLockout lockout, ILoggerFactory loggers)
    {
        InterfaceCall.Of(http)?.File = "ip-lock:" + address;
        if (!IPAddress.TryParse(address, out var parsed))
        {
            return AdminResults.Invalid($"'{address}' is not an IP address");
        }

        // The lock is kept under the address as the server writes it (1.2.3.4, ::1), whichever way it was typed.
        var ip = parsed.ToString();
        if (!await lockout.LiftAsync(ip, http.RequestAborted))
        {
            return AdminResults.NotFound($"{ip} is not locked");
        }

        LogLifted(loggers.CreateLogger(typeof(IpLockEndpoints).FullName!), ip, AdminAuth.Request(http).Account.AccessKey);
        return TypedResults.NoContent();
    }

    [LoggerMessage(LogLevel.Warning, "The lock on client address {ClientIp} was lifted by {AccessKey}")]
    private static partial void LogLifted(ILogger logger, string clientIp, string accessKey);
}
