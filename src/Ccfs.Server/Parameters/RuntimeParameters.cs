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
                perVdn[vdn] = parameters;
            }
        }

        return new State(global, perVdn, overrides);
    }

    private sealed record State(SystemParameters Global, IReadOnlyDictionary<int, SystemParameters> PerVdn, OverrideSet Overrides)
    {
        /// <summary>Built once per change, since every path check walks it.</summary>
        public IReadOnlyList<SystemParameters> All { get; } = [Global, .. PerVdn.Values];
    }
}
