using Ccfs.Server.Parameters;

namespace Ccfs.Server.Catalog;

/// <summary>How overrides are keyed in every catalog: <c>global</c>, or <c>vdn:</c> and the VDN.</summary>
public static class ParameterScopes
{
    private const string Global = "global";
    private const string VdnPrefix = "vdn:";

    public static string Name(int? vdnId) => vdnId is { } vdn ? VdnPrefix + vdn.ToString(System.Globalization.CultureInfo.InvariantCulture) : Global;

    /// <summary>The overrides from (scope, JSON) rows; rows of an unknown scope are skipped.</summary>
    public static OverrideSet Read(IEnumerable<(string Scope, string Json)> rows, System.Text.Json.JsonSerializerOptions json)
    {
        var global = new ParameterOverrides();
        var vdns = new Dictionary<int, ParameterOverrides>();
        foreach (var (scope, text) in rows)
        {
            var overrides = System.Text.Json.JsonSerializer.Deserialize<ParameterOverrides>(text, json) ?? new ParameterOverrides();
            if (scope == Global)
            {
                global = overrides;
            }
            else if (scope.StartsWith(VdnPrefix, StringComparison.Ordinal)
                     && int.TryParse(scope.AsSpan(VdnPrefix.Length), System.Globalization.NumberStyles.None,
                         System.Globalization.CultureInfo.InvariantCulture, out var vdn))
            {
                vdns[vdn] = overrides;
            }
        }

        return new OverrideSet(global, vdns);
    }
}
