using Ccfs.Server.Faults;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Admin;

public sealed record FaultList(bool Enabled, IReadOnlyList<FaultRuleView> Rules);

public sealed record FaultsCleared(int Removed);

/// <summary>
/// The fault rules of this node (docs/rehearsal.md): <c>POST /admin/api/faults</c> adds one (201 with its id),
/// <c>GET</c> lists them, <c>DELETE /admin/api/faults/{id}</c> removes one and <c>DELETE /admin/api/faults</c> all.
/// While fault injection is off (<c>Ccfs:Faults:Enabled</c>) a rule is refused with 409.
/// </summary>
public static partial class FaultEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/faults", (FaultRules rules) => AdminResults.Ok(new FaultList(rules.Enabled, [.. rules.List().Select(r => r.View())])))
            .WithName("listFaults").WithSummary("The fault rules in force on this node, and whether fault injection is on")
            .Produces<FaultList>();
        admin.MapPost("/faults", Add)
            .WithName("addFault").WithSummary("Add a fault rule: {match, action, times?, probability?, seed?}; answers 201 with its id")
            .WithJsonBody<FaultRuleSpec>()
            .Produces<FaultRuleView>(StatusCodes.Status201Created)
            .Produces<AdminError>(StatusCodes.Status409Conflict);
        admin.MapDelete("/faults/{id}", Remove)
            .WithName("removeFault").WithSummary("Remove one fault rule")
            .Produces(StatusCodes.Status204NoContent)
            .Produces<AdminError>(StatusCodes.Status404NotFound);
        admin.MapDelete("/faults", Clear)
            .WithName("clearFaults").WithSummary("Remove every fault rule")
            .Produces<FaultsCleared>();
    }

    private static IResult Add(HttpContext http, FaultRules rules, ILoggerFactory loggers)
    {
        if (!rules.Enabled)
        {
            return AdminResults.Conflict(FaultRules.Disabled);
        }

        if (!AdminResults.TryReadBody<FaultRuleSpec>(http, out var spec, out var refusal))
        {
            return refusal!;
        }

        var added = rules.Add(spec);
        if (added.Rule is not { } rule)
        {
            return added.Disabled ? AdminResults.Conflict(FaultRules.Disabled) : AdminResults.Invalid("the rule is not valid", added.Problems);
        }

        InterfaceCall.Of(http)?.File = "fault:" + rule.Id;
        LogAdded(loggers.CreateLogger(typeof(FaultEndpoints).FullName!), rule.Id, rule.Action.Describe(), AdminAuth.Request(http).Account.AccessKey);
        return AdminResults.Created(rule.View());
    }

    private static IResult Remove(string id, HttpContext http, FaultRules rules)
    {
        InterfaceCall.Of(http)?.File = "fault:" + id;
        return rules.Remove(id) ? TypedResults.NoContent() : AdminResults.NotFound($"no fault rule {id}");
    }

    private static IResult Clear(FaultRules rules) => AdminResults.Ok(new FaultsCleared(rules.Clear()));

    [LoggerMessage(LogLevel.Warning, "Fault rule {RuleId} ({Action}) added by {AccessKey}")]
    private static partial void LogAdded(ILogger logger, string ruleId, string action, string accessKey);
}
