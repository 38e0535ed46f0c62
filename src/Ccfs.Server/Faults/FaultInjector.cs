using Ccfs.Protocol;
using Ccfs.Protocol.Wire;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Prometheus;

namespace Ccfs.Server.Faults;

/// <summary>
/// Applies the fault rules at admission, once a request's signature is verified and before the interface does
/// anything: so an injected answer stores nothing, and a delay or a slow answer shapes what the interface then answers.
/// Every request a rule acts on carries <c>X-Ccfs-Fault</c> with the rule's id, leaves a log line and counts in
/// <c>ccfs_faults_injected_total</c>, so an injected failure is never taken for a real one.
/// </summary>
public sealed partial class FaultInjector
{
    public const string Header = "X-Ccfs-Fault";

    private readonly FaultRules _rules;
    private readonly IParameterSource _parameters;
    private readonly Counter _injected;
    private readonly ILogger<FaultInjector> _logger;

    public FaultInjector(FaultRules rules, IParameterSource parameters, CcfsMetrics metrics, ILogger<FaultInjector> logger)
    {
        _rules = rules;
        _parameters = parameters;
        _logger = logger;
        _injected = Metrics.WithCustomRegistry(metrics.Registry).CreateCounter("ccfs_faults_injected_total",
            "Requests a fault rule acted on (docs/rehearsal.md), by rule id and action", "rule", "action");
    }

    /// <summary>The injected answer that replaces the interface's, or null to let the interface answer (perhaps shaped).</summary>
    /// <param name="pathField">The body field that names the path (<c>fileName</c>, <c>filePath</c>); null for uploadFile.</param>
    public IResult? Apply(HttpContext http, SignedRequest request, string? pathField)
    {
        if (_rules.IsEmpty)
        {
            return null;
        }

        var call = InterfaceCall.Of(http);
        var target = Target(call?.Interface ?? "unknown", request, pathField);
        if (_rules.Claim(target) is not { } rule)
        {
            return null;
        }

        var action = rule.Action;
        var described = action.Describe();
        http.Response.Headers[Header] = rule.Id;
        if (call is not null)
        {
            call.FaultRule = rule.Id;
            call.VdnId ??= target.VdnId;
            call.File ??= target.FileName;
        }

        _injected.WithLabels(rule.Id, described).Inc();
        LogInjected(_logger, rule.Id, described, target.Interface, target.AccessKey, target.VdnId, target.FileName ?? "-");
        if (action.DelayMs is > 0 and var delay)
        {
            // The wait is for the answer, once the request has done its work and let go of its upload or delete slot and
            // its body: waited here, at admission, it held them, so a rule on one tenant's uploads kept every other
            // tenant's waiting for the shared slots. Real time, whatever the server's clock.
            var wait = new InjectedDelay(http, delay);
            http.Features.Set(wait);
            http.Response.OnStarting(wait.WaitAsync);
        }

        if (action.BytesPerSecond is not null || action.DropAfterBytes is not null)
        {
            http.Response.Body = new ShapedAnswerStream(http, http.Response.Body, action.BytesPerSecond, action.DropAfterBytes);
        }

        return action.ReplacesAnswer ? InjectedAnswer.For(action) : null;
    }

    private FaultTarget Target(string name, SignedRequest request, string? pathField)
    {
        // A VDN (or a path in one) the caller is not bound to is answered 401 by the interface; it is not the caller's to
        // name, so a rule on that VDN or file neither acts on the request nor spends a turn on it: one tenant could
        // otherwise take the injected answers an administrator meant for another's rehearsal, and learn they exist.
        var accessKey = request.Account.AccessKey;
        if (pathField is null)
        {
            return new(name, accessKey,
                VdnId.TryParse(FormQuery.Get(request.Query, WireNames.VdnId), out var vdn) && request.Account.MayUse(vdn) ? vdn : null, null);
        }

        // Read again by the interface afterwards; a fault rule is rare and the envelope small, so reading it twice is cheap.
        var other = pathField == WireNames.FilePath ? WireNames.Mode : WireNames.LocationId;
        if (MsgBody.ReadPathEnvelope(request.Body.Span, pathField, other, out var path, out _, out _) is not null)
        {
            return new(name, accessKey, null, null);
        }

        var use = pathField == WireNames.FilePath ? PathUse.DownloadFolder : PathUse.UploadedFile;
        var verdict = TenantPaths.Check(path, pathField, use, _parameters, request.Account);
        return verdict.NotBound ? new(name, accessKey, null, null) : new(name, accessKey, verdict.VdnId > 0 ? verdict.VdnId : null, path);
    }

    [LoggerMessage(LogLevel.Warning, "Fault {RuleId} ({Action}) injected into {Interface} of {AccessKey}, VDN {Vdn}, file {File}: "
        + "the answer carries X-Ccfs-Fault")]
    private static partial void LogInjected(ILogger logger, string ruleId, string action, string @interface, string accessKey, int? vdn,
        string file);
}
