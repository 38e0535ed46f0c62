using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Admin;

/// <summary>What admin endpoints answer when they refuse: <c>{"error": …, "problems": […]}</c> with a 4xx status.</summary>
public sealed record AdminError(string Error, IReadOnlyList<string>? Problems = null);

public static class AdminResults
{
    /// <summary>
    /// camelCase, and strict: an unknown or repeated property is an error, never silently ignored. Strings are escaped
    /// only as JSON requires, so a value copied from curl's output is the value (a secret's '+' stays '+', not
    /// <c>\u002B</c>): these answers are application/json, read by a client or by the admin page's scripts, and never
    /// placed in HTML (the page is static files that fetch them).
    /// </summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IResult Ok<T>(T value) => TypedResults.Json(value, Json);

    public static IResult Created<T>(T value) => TypedResults.Json(value, Json, statusCode: StatusCodes.Status201Created);

    public static IResult Invalid(string error, IReadOnlyList<string>? problems = null) =>
        new ErrorResult(new AdminError(error, problems), StatusCodes.Status400BadRequest);

    public static IResult NotFound(string error) => new ErrorResult(new AdminError(error), StatusCodes.Status404NotFound);

    public static IResult TooLarge(string error) => new ErrorResult(new AdminError(error), StatusCodes.Status413PayloadTooLarge);

    /// <summary>503 with <c>Retry-After</c>: every reason an admin request is unavailable (a busy or unwritable catalog, no free slot) passes.</summary>
    public static IResult Unavailable(string error) => new ErrorResult(new AdminError(error), StatusCodes.Status503ServiceUnavailable);

    public static IResult Conflict(string error) => new ErrorResult(new AdminError(error), StatusCodes.Status409Conflict);

    /// <summary>Reads the signed JSON body as <typeparamref name="T"/>; false with a 400 (or 415 for another type) naming what is wrong.</summary>
    public static bool TryReadBody<T>(HttpContext http, out T value, out IResult? refusal)
        where T : class
    {
        value = null!;
        var request = AdminAuth.Request(http);
        if (!SignedRequestReader.IsJson(http.Request.ContentType))
        {
            var type = http.Request.ContentType ?? "";
            refusal = new ErrorResult(new AdminError($"Content-Type '{(type.Length > 100 ? type[..100] + "…" : type)}' is not application/json; "
                + "the body must be a JSON object"), StatusCodes.Status415UnsupportedMediaType);
            return false;
        }

        if (request.Body.Length == 0)
        {
            refusal = Invalid("the body must be a JSON object with Content-Type application/json");
            return false;
        }

        try
        {
            value = JsonSerializer.Deserialize<T>(request.Body.Span, Json)!;
        }
        catch (JsonException e)
        {
            refusal = Invalid("the body is not valid: " + AdminBodyProblem.Describe(e, request.Body.Span, Json.GetTypeInfo(typeof(T))));
            return false;
        }

        if (value is null)
        {
            refusal = Invalid("the body must be a JSON object");
            return false;
        }

        refusal = null;
        return true;
    }

    /// <summary>The error as JSON, its text kept for the request log line.</summary>
    private sealed class ErrorResult(AdminError error, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            InterfaceCall.Of(httpContext)?.Reason = error.Problems is { Count: > 0 } problems
                ? $"{error.Error}: {string.Join("; ", problems)}"
                : error.Error;
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                httpContext.Response.Headers.RetryAfter = AdminFailures.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return TypedResults.Json(error, Json, statusCode: status).ExecuteAsync(httpContext);
        }
    }
}
