using Ccfs.Server.Configuration;

namespace Ccfs.Server.Parameters;

/// <summary>
/// The parameters in force: configuration, then the global overrides, then each VDN's. Swapped whole when an
/// administrator changes them here or on another node, so a request always sees one consistent set.
/// </summary>
public sealed class RuntimeParameters(CcfsSettings settings) : IParameterSource
{
    private State _state = new(settings.Parameters, new Dictionary<int, SystemParameters>(), OverrideSet.None);

    public SystemParameters Global => Volatile.Read(ref _state).Global;

    public IReadOnlyList<SystemParameters> All => Volatile.Read(ref _state).All;

    public OverrideSet Overrides => Volatile.Read(ref _state).Overrides;

    /// <summary>The values configuration gives, beneath every override.</summary>
    public ParameterOptions Defaults => settings.ParameterDefaults;

    public SystemParameters For(int vdnId)
    {
        var state = Volatile.Read(ref _state);
        return state.PerVdn.GetValueOrDefault(vdnId) ?? state.Global;
    }

    /// <summary>Checks what a set of overrides would give; every problem is named.</summary>
    public IReadOnlyList<string> Check(OverrideSet overrides)
    {
        var errors = new List<string>();
        Build(overrides, errors);
        return errors;
    }

    /// <summary>
    /// Puts the catalog's overrides in force as far as they are valid, and names what is not: overrides stored by an
    /// older version, or under configuration changed since, may break today's rules. Invalid global overrides give way
    /// to configuration and an invalid VDN's to the global parameters; every other VDN keeps its own.
    /// </summary>
    public IReadOnlyList<string> ApplyStored(OverrideSet overrides)
    {
        var errors = new List<string>();
        Volatile.Write(ref _state, Build(overrides, errors));
        return errors;
    }

    private State Build(OverrideSet overrides, List<string> errors)
    {
        var globalValues = overrides.Global.ApplyTo(settings.ParameterDefaults);
        var global = ParameterRules.Build(globalValues, "", errors);
        if (global is not null && ParameterRules.SharedRulesNestingProblem(global, "") is { } nesting)
        {
            errors.Add(nesting);
            global = null;
        }

        if (global is null)
        {
            globalValues = settings.ParameterDefaults;
            global = settings.Parameters;
        }

        var perVdn = new Dictionary<int, SystemParameters>();
        foreach (var (vdn, own) in overrides.Vdns)
        {
            if (ParameterRules.Build(own.ApplyTo(globalValues), $"VDN {vdn}: ", errors) is { } parameters)
            {
                if (NestingProblem(vdn, parameters, global, perVdn) is { } problem)
                {
                    errors.Add($"VDN {vdn}: {problem}");
                    continue;
                }

                perVdn[vdn] = parameters;
            }
        }

        return new State(global, perVdn, overrides);
    }

    /// <summary>
    /// Why <paramref name="vdn"/>'s folders could hold, or lie in, another VDN's: the folders the global rules give any
    /// other VDN, and those of the VDNs with rules of their own. Its files would be the other's to download and to sweep.
    /// </summary>
    private static string? NestingProblem(int vdn, SystemParameters parameters, SystemParameters global,
        IReadOnlyDictionary<int, SystemParameters> others)
    {
        foreach (var rule in parameters.PathRules)
        {
            if (global.PathRules.FirstOrDefault(g => rule.CanNestWith(vdn, g, null)) is { } globalRule)
            {
                return $"its folder {rule.FolderFor(vdn)} (rule {rule.Text}) and the folder the global rule {globalRule.Text} gives "
                    + "another VDN could be one inside the other, so one VDN's files would be the other's";
            }

            foreach (var (other, theirs) in others)
            {
                if (theirs.PathRules.FirstOrDefault(o => rule.CanNestWith(vdn, o, other)) is { } otherRule)
                {
                    return $"its folder {rule.FolderFor(vdn)} (rule {rule.Text}) and VDN {other}'s folder {otherRule.FolderFor(other)} "
                        + "are one inside the other, so one VDN's files would be the other's";
                }
            }
        }

        return null;
    }

    private sealed record State(SystemParameters Global, IReadOnlyDictionary<int, SystemParameters> PerVdn, OverrideSet Overrides)
    {
        /// <summary>Built once per change, since every path check walks it.</summary>
        public IReadOnlyList<SystemParameters> All { get; } = [Global, .. PerVdn.Values];
    }
}
