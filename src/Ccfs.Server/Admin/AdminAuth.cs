using Ccfs.Protocol;
using Ccfs.Server.Auth;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;
using Microsoft.AspNetCore.Http.Features;

namespace Ccfs.Server.Admin;

/// <summary>The largest body an admin endpoint reads, and the slots it holds; without it, <see cref="AdminAuth.DefaultBodyLimit"/> and none.</summary>
/// <param name="Bytes">The limit; a larger body is answered 413.</param>
/// <param name="Binary">The body is bytes (a WAV), not JSON text, so it need not be UTF-8.</param>
/// <param name="Slot">The bounded slots the request holds: an upload's for a body held like an upload's, a delete's for a delete.</param>
public sealed record AdminBodyLimit(long Bytes = AdminAuth.DefaultBodyLimit, bool Binary = false, SlotKind Slot = SlotKind.None);

/// <summary>
/// Guards every <c>/admin/api</c> endpoint: the request must carry a valid auth-v2 signature (the same verifier, IP lock
/// and body limits as the CC-FS interfaces) by an account marked admin. Anything else is 401 before the handler runs.
/// The audit records every change, every read of a file's contents (<see cref="AuditedRead"/>) and every refusal.
/// </summary>
public static class AdminAuth
{
    public const long DefaultBodyLimit = 256 * 1024;

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var endpoint = http.GetEndpoint();
        var call = InterfaceCall.Of(http);
        if (call is not null)
        {
            call.Interface = "admin:" + (endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "unknown");
            call.Audited = !HttpMethods.IsGet(http.Request.Method) || endpoint?.Metadata.GetMetadata<AuditedRead>() is not null;
        }

        var bodyLimit = endpoint?.Metadata.GetMetadata<AdminBodyLimit>() ?? new AdminBodyLimit();
        var reader = http.RequestServices.GetRequiredService<SignedRequestReader>();
        var policy = new AdmissionPolicy("admin", bodyLimit.Slot, RequireJson: false, bodyLimit.Binary, AdminOnly: true,
            RejectReplays: ChangesState(http.Request.Method), AdminResults.Unavailable);
        var query = FormQuery.Parse(http.Request.QueryString.Value, out var repeated);
        var admission = await reader.ReadAsync(http, policy, query, bodyLimit.Bytes,
            AdminResults.TooLarge($"the request body is over the {bodyLimit.Bytes}-byte limit"));
        if (admission.Refusal is { } refusal)
        {
            return Refused(call, refusal);
        }

        using var request = admission.Request!;
        if (!request.Account.IsAdmin)
        {
            // The account lost its admin flag while the body was read.
            return Refused(call, NotAdmin(request.Account));
        }

        // Each handler reads a parameter's first value; one given twice would be half-ignored without a word.
        if (repeated is not null)
        {
            return AdminResults.Invalid($"the query parameter '{repeated}' is given more than once; give it once");
        }

        http.Features.Set(request);
        try
        {
            return await next(context);
        }
        finally
        {
            http.Features.Set<SignedRequest>(null);
        }
    }

    private static IResult NotAdmin(Account account) =>
        CcfsResults.Spring(StatusCodes.Status401Unauthorized, $"access key {account.AccessKey} is not an administrator", "NotAdmin");

    /// <summary>Someone tried the administration API and was turned away: always worth an audit entry.</summary>
    private static IResult Refused(InterfaceCall? call, IResult refusal)
    {
        call?.Audited = true;
        return refusal;
    }

    /// <summary>The signed request the filter admitted.</summary>
    public static SignedRequest Request(HttpContext http) =>
        http.Features.Get<SignedRequest>() ?? throw new InvalidOperationException("the admin filter did not run");

    /// <summary>
    /// A replayed read changes nothing and shows only what its captured answer showed, so only writes are checked for
    /// replays: reads stay free of a catalog write and keep working while the catalog cannot be written.
    /// </summary>
    private static bool ChangesState(string method) => !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method);
}
