using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Http;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Admin;

/// <summary>The parameters as the admin API shows them: configuration, the overrides and what is in force.</summary>
public sealed record ParametersView(ParameterOptions Defaults, ParameterScopeView Global, IReadOnlyList<ParameterScopeView> Vdns);

/// <param name="VdnId">Null for the global scope.</param>
/// <param name="Overrides">What an administrator set in this scope; absent values are inherited.</param>
/// <param name="Effective">The values in force.</param>
public sealed record ParameterScopeView(int? VdnId, ParameterOverrides Overrides, ParameterOptions Effective);

/// <summary>
/// Reads and changes the CC-FS system parameters (spec §5) at run time, globally and per VDN. A change is checked
/// whole, stored in the catalog, and in force on this node at once and on every other within the refresh interval.
/// </summary>
public static class ParameterEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/parameters", (RuntimeParameters parameters) => AdminResults.Ok(View(parameters)))
            .WithName("getParameters").WithSummary("The parameters: configured defaults, overrides and values in force");
        admin.MapPut("/parameters", (HttpContext http, RuntimeParameters parameters, ParameterStore store, CatalogSync sync) =>
                ChangeAsync(http, null, parameters, store, sync))
            .WithName("setGlobalParameters").WithSummary("Replace the global overrides; absent or null values fall back to configuration")
            .WithJsonBody<ParameterOverrides>();
        admin.MapPut("/parameters/vdns/{vdnId}", (string vdnId, HttpContext http, RuntimeParameters parameters, ParameterStore store,
                CatalogSync sync) => AdminQuery.TryRouteVdn(vdnId, out var vdn, out var refusal)
                    ? ChangeAsync(http, vdn, parameters, store, sync)
                    : Task.FromResult(refusal!))
            .WithName("setVdnParameters").WithSummary("Replace one VDN's overrides; absent or null values fall back to the global ones")
            .WithJsonBody<ParameterOverrides>();
        admin.MapDelete("/parameters/vdns/{vdnId}", (string vdnId, HttpContext http, RuntimeParameters parameters, ParameterStore store,
                CatalogSync sync) => AdminQuery.TryRouteVdn(vdnId, out var vdn, out var refusal)
                    ? ApplyAsync(http, vdn, new ParameterOverrides(), parameters, store, sync)
                    : Task.FromResult(refusal!))
            .WithName("deleteVdnParameters").WithSummary("Remove one VDN's overrides, so the global parameters apply to it");
    }

    private static Task<IResult> ChangeAsync(HttpContext http, int? vdnId, RuntimeParameters parameters, ParameterStore store, CatalogSync sync) =>
        AdminResults.TryReadBody<ParameterOverrides>(http, out var overrides, out var refusal)
            ? ApplyAsync(http, vdnId, overrides, parameters, store, sync)
            : Task.FromResult(refusal!);

    private static async Task<IResult> ApplyAsync(HttpContext http, int? vdnId, ParameterOverrides overrides, RuntimeParameters parameters,
        ParameterStore store, CatalogSync sync)
    {
        if (Observability.InterfaceCall.Of(http) is { } call)
        {
            call.VdnId = vdnId;
            // The audit trail keeps what was set, in the column that names what a call touched.
            call.File = $"parameters:{(vdnId is { } v ? "vdn:" + v : "global")} {System.Text.Json.JsonSerializer.Serialize(overrides, AdminResults.Json)}";
        }

        var current = parameters.Overrides;
        var vdns = new Dictionary<int, ParameterOverrides>(current.Vdns);
        if (vdnId is { } vdn)
        {
            if (overrides.IsEmpty)
            {
                vdns.Remove(vdn);
            }
            else
            {
                vdns[vdn] = overrides;
            }
        }

        var next = new OverrideSet(vdnId is null ? overrides : current.Global, vdns);
        var problems = parameters.Check(next);
        if (problems.Count > 0)
        {
            return AdminResults.Invalid("the parameters are not valid; nothing was changed", problems);
        }

        await store.SaveAsync(vdnId, overrides, http.RequestAborted);
        await sync.RefreshAsync(CancellationToken.None);
        return AdminResults.Ok(View(parameters));
    }

    private static ParametersView View(RuntimeParameters parameters)
    {
        var overrides = parameters.Overrides;
        return new ParametersView(
            parameters.Defaults,
            new ParameterScopeView(null, overrides.Global, parameters.Global.Values),
            [.. overrides.Vdns.OrderBy(v => v.Key).Select(v => new ParameterScopeView(v.Key, v.Value, parameters.For(v.Key).Values))]);
    }
}
