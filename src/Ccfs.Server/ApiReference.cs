using Ccfs.Protocol;
using Ccfs.Server.Interfaces;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Ccfs.Server;

/// <summary>
/// What an integrator reads at <c>/openapi/v1.json</c> and <c>/scalar</c>: how every CC-FS and admin request is
/// signed (the auth-v2 security scheme), and Scalar served entirely from this server, without its hosted extras.
/// </summary>
public static class ApiReference
{
    public const string SecuritySchemeName = "auth-v2";

    /// <summary>
    /// The signing steps in full, so a signer can be written from this text alone (a test does exactly that): the body
    /// itself, percent-encoded, is the last part of what is signed; there is no body hash anywhere in auth-v2.
    /// </summary>
    public const string SecuritySchemeDescription =
        "Every CC-FS interface and admin API request is signed with Huawei CEC's auth-v2, in the header "
        + "`Authorization: auth-v2/{AK}/{timestamp}/{signedHeaders}/{signature}`. `timestamp` is UTC, "
        + "`2026-11-24T08:00:00Z` or `2026-11-24T08:00:00.000Z`, within 15 minutes of the server's clock. `signedHeaders` is "
        + "the lower-case names of the signed headers, sorted and joined by `;`: `content-length;content-type;host` "
        + "(`host` alone for a request without a body). "
        + "(1) signingKey = lower-case hex of HMAC-SHA256(key: the SK, message: `auth-v2/{AK}/{timestamp}/{signedHeaders}`). "
        + "(2) canonicalRequest = these lines joined by LF, without a final LF: the method; the path as sent; the query "
        + "(`vdnId=53`; only when there is one, each `encode(name)=encode(value)`, sorted, joined by `&`); `signedHeaders`; "
        + "one `name:encode(value)` line per signed header, sorted, with the value exactly as sent; "
        + "and last encode(body): the body's own bytes, exactly as sent (not a hash of them). encode() turns every byte "
        + "outside `A-Z a-z 0-9 - . _ ~` into `%XX` with upper-case hex. "
        + "(3) signature = lower-case hex of HMAC-SHA256(key: the 64 characters of signingKey as ASCII, message: "
        + "canonicalRequest). "
        + "It is computed for each request, so a fixed header value cannot be entered here: sign with `ccfs sign`, "
        + "`ccfs admin`, the SDK (Ccfs.Client) or the admin page. docs/auth-v2.md in the ccfs repository works one request "
        + "through byte by byte.";

    /// <summary>The OpenAPI document at <c>/openapi/v1.json</c>, with how every request is signed.</summary>
    public static IServiceCollection AddApiReference(this IServiceCollection services) =>
        services.AddOpenApi(options => options.DescribeSigning().AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ccfs";
            document.Info.Version = CcfsVersion.Version;
            document.Info.Description = "The CC-FS third-party IVR file interfaces (auth-v2 signed) and ccfs's administration API.";
            return Task.CompletedTask;
        }));

    /// <summary>The document and Scalar at <c>/scalar</c>.</summary>
    public static void MapApiReference(this WebApplication app)
    {
        app.MapOpenApi();
        MapScalar(app);
    }

    private static readonly HashSet<string> SignedTags = new(StringComparer.Ordinal) { ContractMetadata.Tag, Admin.AdminApi.Tag };

    /// <summary>Declares the auth-v2 scheme and requires it on every operation of the CC-FS interfaces and the admin API.</summary>
    public static OpenApiOptions DescribeSigning(this OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "Authorization",
            Description = SecuritySchemeDescription,
        };
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []))
        {
            if (operation.Tags?.Any(t => t.Name is { } name && SignedTags.Contains(name)) == true)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
            }
        }

        return Task.CompletedTask;
    });

    /// <summary>
    /// Scalar at <c>/scalar</c> from the assets inside Scalar.AspNetCore, and nothing from elsewhere: no web fonts
    /// from its CDN, no AI agent, no MCP, no telemetry and no developer-tools bar (Configure, Share, Generate SDK,
    /// Deploy), which all reach Scalar's hosted services. Machines without internet see the whole reference.
    /// </summary>
    public static void MapScalar(WebApplication app) => app.MapScalarApiReference(options => options
        .WithTitle("ccfs API reference")
        .DisableDefaultFonts()
        .DisableAgent()
        .DisableMcp()
        .DisableTelemetry()
        .HideDeveloperTools()
        .AddPreferredSecuritySchemes([SecuritySchemeName]));
}
