using System.Globalization;
using Ccfs.Protocol;

namespace Ccfs.Server.Observability;

/// <summary>
/// The one line every request to the CC-FS interfaces and the administration API leaves once answered: interface,
/// outcome (resultCode, or the HTTP status of a Spring error), duration, access key, VDN, file, client and the reason
/// of a refusal (the <c>X-Ccfs-Reason</c> text) or what the call found (an upload's prompt-quality line). Category <see cref="Category"/>, so its level can be set alone.
/// </summary>
public static partial class RequestLog
{
    public const string Category = "Ccfs.Server.Requests";

    private const string None = "-";

    public static void Write(ILogger logger, InterfaceCall call, int status, TimeSpan duration)
    {
        var level = LevelOf(call.ResultCode, status);
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var outcome = call.ResultCode ?? "HTTP " + status.ToString(CultureInfo.InvariantCulture);
        var vdn = call.VdnId?.ToString(CultureInfo.InvariantCulture) ?? None;
        var reason = call.RejectionReason is null ? call.Reason : $"{call.RejectionReason}: {call.Reason ?? None}";
        if (reason is null && call.Detail is { } detail)
        {
            Found(logger, level, call.Interface, outcome, (long)duration.TotalMilliseconds, call.AccessKey ?? None, vdn, call.File ?? None,
                call.ClientAddress, detail);
        }
        else if (reason is null)
        {
            Answered(logger, level, call.Interface, outcome, (long)duration.TotalMilliseconds, call.AccessKey ?? None, vdn, call.File ?? None,
                call.ClientAddress);
        }
        else
        {
            Refused(logger, level, call.Interface, outcome, (long)duration.TotalMilliseconds, call.AccessKey ?? None, vdn, call.File ?? None,
                call.ClientAddress, call.Detail is null ? reason : $"{reason} ({call.Detail})");
        }
    }

    /// <summary>Refused signatures and server-side failures stand out; business outcomes, refusals included, are information.</summary>
    private static LogLevel LevelOf(string? resultCode, int status) =>
        status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden || status >= 500 || resultCode == ResultCodes.ServiceUnavailable
            ? LogLevel.Warning
            : LogLevel.Information;

    [LoggerMessage(EventId = 1, Message = "{Interface} {Outcome} in {DurationMs} ms: ak={AccessKey} vdn={Vdn} file={File} ip={ClientIp}")]
    private static partial void Answered(ILogger logger, LogLevel level, string Interface, string outcome, long durationMs, string accessKey,
        string vdn, string file, string clientIp);

    [LoggerMessage(EventId = 3, Message = "{Interface} {Outcome} in {DurationMs} ms: ak={AccessKey} vdn={Vdn} file={File} ip={ClientIp} found: {Detail}")]
    private static partial void Found(ILogger logger, LogLevel level, string Interface, string outcome, long durationMs, string accessKey,
        string vdn, string file, string clientIp, string detail);

    [LoggerMessage(EventId = 2, Message = "{Interface} {Outcome} in {DurationMs} ms: ak={AccessKey} vdn={Vdn} file={File} ip={ClientIp} reason: {Reason}")]
    private static partial void Refused(ILogger logger, LogLevel level, string Interface, string outcome, long durationMs, string accessKey,
        string vdn, string file, string clientIp, string reason);
}
