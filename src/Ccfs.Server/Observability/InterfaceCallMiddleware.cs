using Ccfs.Protocol;
using Ccfs.Server.Auth;

namespace Ccfs.Server.Observability;

/// <summary>
/// Wraps every request to the CC-FS interfaces and the administration API: starts its <see cref="InterfaceCall"/>, and once it is answered counts
/// it by interface and resultCode (HTTP status for Spring errors), counts refusals by reason, puts it in the
/// <see cref="RequestJournal"/> (the admin API's own reads left out: the admin page polls them), writes its line of the
/// <see cref="RequestLog"/> and hands it to the audit.
/// </summary>
public sealed class InterfaceCallMiddleware(RequestDelegate next, CcfsMetrics metrics, TimeProvider time, IEnumerable<IInterfaceCallSink> sinks,
    RefusalDigest refusals, RequestJournal journal, ILoggerFactory loggers)
{
    public const string AdminPath = "/admin/api";

    /// <summary>The status counted and journalled for a request its client gave up on before any answer.</summary>
    public const int ClientClosedRequest = 499;

    private static readonly string[] Interfaces = ["uploadFile", "upload", "deleteFile", "getFileHash", "downloadFile"];

    private readonly ILogger _log = loggers.CreateLogger(RequestLog.Category);

    public async Task InvokeAsync(HttpContext http)
    {
        string name;
        if (http.Request.Path.StartsWithSegments(CcfsPaths.Base, StringComparison.OrdinalIgnoreCase, out var rest))
        {
            name = rest.Value?.Trim('/') ?? "";
            name = Interfaces.Contains(name, StringComparer.Ordinal) ? (name == "upload" ? "uploadFile" : name) : "unknown";
        }
        else if (http.Request.Path.StartsWithSegments(AdminPath, StringComparison.OrdinalIgnoreCase))
        {
            // The admin endpoint names the operation once routing has run.
            name = "admin:unknown";
        }
        else
        {
            await next(http);
            return;
        }

        var call = new InterfaceCall(name, ClientAddress.Of(http), time.GetUtcNow());
        http.Features.Set(call);
        var started = time.GetTimestamp();
        // The journal takes the request as its answer starts, so a client that reads the journal as soon as it has its
        // answer finds it there; an answer that never starts is taken once the request is over.
        var journaled = false;
        // An answer that starts once the client has gone (it gave up during a rehearsal's delay, or a slow step) reaches
        // nobody: whatever its status, the call is the client's 499.
        var abandoned = false;
        // An answer with no body starts only after this middleware is done: it was journalled below already.
        var finished = false;
        http.Response.OnStarting(() =>
        {
            abandoned = http.RequestAborted.IsCancellationRequested;
            if (call.Audited && !finished)
            {
                journaled = true;
                journal.Record(call, abandoned ? ClientClosedRequest : http.Response.StatusCode, time.GetElapsedTime(started),
                    http.Response.ContentLength);
            }

            return Task.CompletedTask;
        });
        var threw = false;
        try
        {
            await next(http);
        }
        catch
        {
            threw = true;
            throw;
        }
        finally
        {
            // An exception leaves the status as it was; the server answers 500 once it has left the pipeline, unless the
            // client had gone: then nothing was answered, and 499 (nginx's "client closed request") says so.
            finished = true;
            abandoned |= !http.Response.HasStarted && http.RequestAborted.IsCancellationRequested;
            var status = abandoned ? ClientClosedRequest
                : threw && !http.Response.HasStarted
                    ? http.RequestAborted.IsCancellationRequested ? ClientClosedRequest : StatusCodes.Status500InternalServerError
                    : http.Response.StatusCode;
            var elapsed = time.GetElapsedTime(started);
            var code = call.ResultCode ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            metrics.Requests.WithLabels(call.Interface, code).Inc();
            if (call.Interface == "uploadFile")
            {
                metrics.UploadDuration.WithLabels(code == ResultCodes.Success ? "stored" : "refused").Observe(elapsed.TotalSeconds);
            }

            if (call.Audited && !journaled)
            {
                journal.Record(call, status, elapsed, http.Response.ContentLength);
            }

            // Repeated authentication refusals from one address are logged and audited once a minute, with their count.
            var reported = true;
            if (status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden)
            {
                var reason = call.RejectionReason ?? (status == 403 ? "IpLocked" : "Unauthorized");
                metrics.AuthRejections.WithLabels(reason).Inc();
                reported = refusals.Admit(call, status, reason);
            }

            if (reported)
            {
                RequestLog.Write(_log, call, status, elapsed);
                foreach (var sink in sinks)
                {
                    sink.Record(call, code);
                }
            }
        }
    }
}

/// <summary>Receives each finished interface call; the audit trail is one.</summary>
public interface IInterfaceCallSink
{
    void Record(InterfaceCall call, string resultCode);
}
