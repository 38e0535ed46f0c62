using System.Globalization;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Faults;

/// <summary>The answer to adding a rule: the rule, or why it was refused.</summary>
public readonly record struct FaultAddition(FaultRule? Rule, IReadOnlyList<string> Problems, bool Disabled);

/// <summary>
/// The fault rules in force on this node, in memory (each node of a cluster has its own). Requests read them without a
/// lock: the list is an array swapped whole when an administrator changes it, and with no rule (the usual case) a request
/// pays one read. The first rule, in the order added, that matches a request and decides to act on it is the one applied.
/// </summary>
public sealed class FaultRules(CcfsSettings settings)
{
    public const int MaxRules = 100;

    private readonly Lock _changes = new();
    private FaultRule[] _rules = [];
    private long _lastId;

    public bool Enabled { get; } = settings.FaultsEnabled;

    public bool IsEmpty => Volatile.Read(ref _rules).Length == 0;

    public IReadOnlyList<FaultRule> List() => Volatile.Read(ref _rules);

    public FaultAddition Add(FaultRuleSpec spec)
    {
        if (!Enabled)
        {
            return new(null, [Disabled], true);
        }

        var problems = spec.Problems();
        if (problems.Count > 0)
        {
            return new(null, problems, false);
        }

        lock (_changes)
        {
            var live = _rules.Where(r => !r.Spent).ToArray();
            if (live.Length >= MaxRules)
            {
                return new(null, [$"{MaxRules} rules are in force; remove some first"], false);
            }

            var rule = new FaultRule("f" + (++_lastId).ToString(CultureInfo.InvariantCulture), spec);
            Volatile.Write(ref _rules, [.. live, rule]);
            return new(rule, [], false);
        }
    }

    public bool Remove(string id)
    {
        lock (_changes)
        {
            var kept = _rules.Where(r => r.Id != id).ToArray();
            var removed = kept.Length != _rules.Length;
            Volatile.Write(ref _rules, kept);
            return removed;
        }
    }

    public int Clear()
    {
        lock (_changes)
        {
            var count = _rules.Length;
            Volatile.Write(ref _rules, []);
            return count;
        }
    }

    /// <summary>The rule that acts on this request, having taken its turn; null when none does.</summary>
    public FaultRule? Claim(in FaultTarget target)
    {
        foreach (var rule in Volatile.Read(ref _rules))
        {
            if (rule.Matches(target) && rule.TryFire())
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Why a rule cannot be added while fault injection is off.</summary>
    public const string Disabled = "fault injection is off on this server: set Ccfs:Faults:Enabled=true (it is on by default only in "
        + "the development setup: no account configured, every listener on loopback)";
}
