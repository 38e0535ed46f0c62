using Ccfs.Protocol;
using Ccfs.Server.Auth;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;
using Microsoft.AspNetCore.Http.Features;

namespace Ccfs.Server.Admin;

/// <summary>The largest body an admin endpoint reads; without it, <see cref="AdminAuth.DefaultBodyLimit"/>.</summary>
/// <param name="Bytes">The limit; a larger body is answered 413.</param>
/// <param name="Binary">The body is bytes (a WAV), not JSON text, so it need not be UTF-8.</param>
/// <param name="TakesUploadSlot">The body is held like an upload's, so the request takes one of the same bounded slots.</param>
public sealed record AdminBodyLimit(long Bytes, bool Binary = false, bool TakesUploadSlot = false);

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

        if (RefuseBeforeTheBody(http) is { } early)
        {
            return Refused(call, early);
        }

        var bodyLimit = endpoint?.Metadata.GetMetadata<AdminBodyLimit>();
        var limit = bodyLimit?.Bytes ?? DefaultBodyLimit;
        var reader = http.RequestServices.GetRequiredService<SignedRequestReader>();
        var admission = await reader.ReadAsync(http, FormQuery.Parse(http.Request.QueryString.Value), limit, "body", requireJson: false,
            binaryBody: bodyLimit?.Binary ?? false, tooLarge: AdminResults.TooLarge($"the request body is over the {limit}-byte limit"),
            takesUploadSlot: bodyLimit?.TakesUploadSlot ?? false, unavailable: AdminResults.Unavailable);
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

    /// <summary>
    /// Refuses, before reading the body, a request whose Authorization header names an account that is not an
    /// administrator: it can never be admitted, so it must not hold a body buffer (and, for an upload, a slot of the
    /// upload limit) while it sends up to <c>Ccfs:Admin:MaxUploadMb</c>. Headers naming no account at all are refused
    /// the same way by the reader; the signature is checked once the body is read.
    /// </summary>
    private static IResult? RefuseBeforeTheBody(HttpContext http)
    {
        var claim = ClaimedAccount.Of(http.Request.Headers.Authorization, http.RequestServices.GetRequiredService<AccountDirectory>());
        if (claim.Account is not { IsAdmin: false } account
            || http.RequestServices.GetRequiredService<IpLockout>().IsLocked(ClientAddress.Of(http)))
        {
            return null;
        }

        InterfaceCall.Of(http)?.AccessKey = claim.AccessKey;
        return SignedRequestReader.WithoutReadingTheBody(http, NotAdmin(account));
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
}
