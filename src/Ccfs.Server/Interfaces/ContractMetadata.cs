using Ccfs.Protocol;
using Ccfs.Protocol.Wire;
using Ccfs.Server.Http;
using Microsoft.OpenApi;

namespace Ccfs.Server.Interfaces;

internal static class ContractMetadata
{
    public const string Tag = "CC-FS third-party IVR interfaces";

    /// <summary>Describes a CC-FS interface endpoint: its body, its answers, and that every request is auth-v2 signed.</summary>
    public static RouteHandlerBuilder DescribedAs<TBody, TData>(this RouteHandlerBuilder endpoint, string name, string summary, string description) =>
        endpoint.WithName(name).WithTags(Tag).WithSummary(summary)
            .WithDescription(description + " Sign the request with auth-v2 (Authorization: auth-v2/{AK}/{timestamp}/{signedHeaders}/{signature}).")
            .WithJsonBody<Envelope<TBody>>()
            .Produces<CcfsAnswer<TData>>(StatusCodes.Status200OK, "application/json")
            .Produces<SpringError>(StatusCodes.Status401Unauthorized, "application/json")
            .Produces<SpringError>(StatusCodes.Status403Forbidden, "application/json")
            .Produces<CcfsAnswer<string>>(StatusCodes.Status503ServiceUnavailable, "application/json");

    /// <summary>
    /// Describes uploadFile's <c>vdnId</c> query parameter. The handler reads it from the signed query itself (a
    /// missing or malformed one is a CC-FS result code, not a framework 400), so the framework cannot infer it.
    /// </summary>
    public static RouteHandlerBuilder WithVdnIdQuery(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "vdnId",
                In = ParameterLocation.Query,
                Required = true,
                Description = "The VDN whose upload folder receives the file: a positive integer in plain digits (no leading zero) "
                    + "that the access key is bound to. "
                    + "Missing: 0300001; empty: 0300002; not a positive integer: 0300004; not bound to the key: 401.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1" },
            });
            return Task.CompletedTask;
        });
}
