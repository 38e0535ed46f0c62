using Microsoft.OpenApi;

namespace Ccfs.Server.Http;

/// <summary>
/// Describes an endpoint's JSON body to OpenAPI only. Accepts metadata would also make routing answer any other
/// Content-Type 415 before the request is authenticated, with no reason and nothing in the journal; the endpoints
/// check the type themselves, after the signature, and say why.
/// </summary>
internal static class JsonBodyMetadata
{
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) => operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken) },
            },
        });
}
