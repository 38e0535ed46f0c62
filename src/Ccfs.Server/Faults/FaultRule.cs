namespace Ccfs.Server.Faults;

/// <summary>
/// A rule in force: matches requests, and decides for each matching one whether it acts on it (its remaining count, its
/// own seeded random draw). Many requests ask at once, so the count is claimed atomically and the draw under the rule's lock.
/// </summary>
public sealed class FaultRule
{
    private readonly FileNameGlob? _fileName;
    private readonly Random? _random;
    private int _remaining;
    private long _fired;

    public FaultRule(string id, FaultRuleSpec spec)
    {
        Id = id;
        Spec = spec;
        Match = spec.Match ?? new FaultMatch();
        Action = spec.Action!;
        _fileName = Match.FileName is { } glob ? FileNameGlob.Parse(glob) : null;
        _random = spec.Probability is not null ? (spec.Seed is { } seed ? new Random(seed) : new Random()) : null;
        _remaining = spec.Times ?? -1;
    }

    public string Id { get; }

    public FaultRuleSpec Spec { get; }

    public FaultMatch Match { get; }

    public FaultAction Action { get; }

    /// <summary>No more requests are left for it to act on.</summary>
    public bool Spent => Volatile.Read(ref _remaining) == 0;

    public FaultRuleView View()
    {
        var remaining = Volatile.Read(ref _remaining);
        return new FaultRuleView(Id, Match, Action, Spec.Times, Spec.Probability, Spec.Seed, remaining < 0 ? null : remaining,
            Interlocked.Read(ref _fired));
    }

    public bool Matches(in FaultTarget target) =>
        (Match.Interface is null || Match.Interface == target.Interface)
        && (Match.AccessKey is null || Match.AccessKey == target.AccessKey)
        && (Match.VdnId is null || Match.VdnId == target.VdnId)
        && (_fileName is null || _fileName.Matches(target.FileName));

    /// <summary>For a matching request: true when the rule acts on it (the draw says so, and a count is left, which this takes).</summary>
    public bool TryFire()
    {
        if (_random is not null)
        {
            lock (_random)
            {
                // The draw is made before the count is looked at, so a seeded rule draws once per matching request.
                if (_random.NextDouble() >= Spec.Probability)
                {
                    return false;
                }
            }
        }

        while (true)
        {
            var remaining = Volatile.Read(ref _remaining);
            if (remaining == 0)
            {
                return false;
            }

            if (remaining < 0 || Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) == remaining)
            {
                Interlocked.Increment(ref _fired);
                return true;
            }
        }
    }
}
