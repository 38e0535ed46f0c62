using System.Buffers;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Wire;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Ccfs.Server.Http;

/// <summary>
/// The answers CC-FS gives: the <c>resultCode</c>/<c>resultDesc</c>/<c>resultData</c> triple with HTTP 200 for
/// business outcomes, and the Spring Boot error body for 401, 403, 404, 405 and 415 (spec §1.1, §2.10).
/// </summary>
public static class CcfsResults
{
    /// <summary>Why a request was refused, in words; CC-FS clients ignore it, integrators read it.</summary>
    public const string ReasonHeader = "X-Ccfs-Reason";

    public static IResult Answer(CcfsResult result, string? reason = null) => new TripleResult(result, null, reason, StatusCodes.Status200OK);

    /// <summary>A CC-FS answer with another HTTP status than the 200 business answers carry (a rehearsed fault's).</summary>
    public static IResult Answer(CcfsResult result, string? reason, int status) => new TripleResult(result, null, reason, status);

    /// <summary>Adds a response header to an answer, set before the answer writes its own.</summary>
    public static IResult WithHeader(IResult inner, string name, string value) => new HeaderResult(inner, name, value);

    /// <summary>An answer with <c>Retry-After</c>: when the same request may be sent again.</summary>
    public static IResult RetryAfter(IResult inner, int seconds) =>
        WithHeader(inner, Microsoft.Net.Http.Headers.HeaderNames.RetryAfter, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static IResult Success(CcfsResult success, Action<Utf8JsonWriter> writeData) =>
        new TripleResult(success, writeData, null, StatusCodes.Status200OK);

    /// <summary>The <c>Retry-After</c> every <c>0300503</c> carries.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>ccfs's 0300503 with HTTP 503: storage or catalog failed, or the upload queue is full.</summary>
    public static IResult Unavailable(string reason) => new TripleResult(CcfsResult.ServiceUnavailable, null, reason,
        StatusCodes.Status503ServiceUnavailable, retryAfterSeconds: RetryAfterSeconds);

    /// <param name="status">The HTTP status.</param>
    /// <param name="reason">The explanation for the <c>X-Ccfs-Reason</c> header.</param>
    /// <param name="rejection">For 401/403, the reason counted in the metrics.</param>
    public static IResult Spring(int status, string? reason = null, string? rejection = null) => new SpringErrorResult(status, reason, rejection);

    /// <summary>Answers, then closes the connection instead of reading the rest of an oversized body.</summary>
    public static IResult AndClose(IResult inner) => new CloseConnectionResult(inner);

    internal static void SetReason(HttpResponse response, string? reason)
    {
        if (!string.IsNullOrEmpty(reason))
        {
            InterfaceCall.Of(response.HttpContext)?.Reason = reason;
            // Header values must be visible ASCII; reasons can quote client input.
            response.Headers[ReasonHeader] = string.Create(Math.Min(reason.Length, 512), reason,
                (span, r) =>
                {
                    for (var i = 0; i < span.Length; i++)
                    {
                        span[i] = r[i] is >= ' ' and <= '~' ? r[i] : '?';
                    }
                });
        }
    }

    private static async Task WriteJsonAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        response.StatusCode = status;
        response.ContentType = CcfsPaths.JsonContentType;
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private sealed class HeaderResult(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }

    private sealed class TripleResult(CcfsResult result, Action<Utf8JsonWriter>? writeData, string? reason, int status,
        int retryAfterSeconds = 0) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            InterfaceCall.Of(http)?.ResultCode = result.Code;
            SetReason(http.Response, reason);
            if (retryAfterSeconds > 0)
            {
                http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var texts = http.RequestServices.GetService<CcfsSettings>()?.ResultTexts;
            return WriteJsonAsync(http.Response, status, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString(WireNames.ResultCode, result.Code);
                writer.WriteString(WireNames.ResultDesc, texts?.Describe(result) ?? result.Description);
                if (writeData is null)
                {
                    writer.WriteString(WireNames.ResultData, "");
                }
                else
                {
                    writer.WritePropertyName(WireNames.ResultData);
                    writeData(writer);
                }

                writer.WriteEndObject();
            });
        }
    }

    private sealed class SpringErrorResult(int status, string? reason, string? rejection) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            InterfaceCall.Of(http)?.RejectionReason = rejection;
            SetReason(http.Response, reason);
            return WriteSpringErrorAsync(http, status);
        }
    }

    /// <summary>Spring Boot's default error JSON, as CC-FS sends it.</summary>
    internal static Task WriteSpringErrorAsync(HttpContext http, int status)
    {
        var timeProvider = http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        return WriteJsonAsync(http.Response, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("timestamp", timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            writer.WriteNumber("status", status);
            writer.WriteString("error", ReasonPhrases.GetReasonPhrase(status));
            writer.WriteString("message", "No message available");
            writer.WriteString("path", http.Request.Path.Value);
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// HTTP/1.x closes the connection after the answer. HTTP/2 and 3 have no such header: the answer is completed,
    /// then the stream is reset with NO_ERROR, which asks the client to stop sending without an error (RFC 9113 §8.1).
    /// That answer carries no Content-Length, so its end is the stream's end: curl 7.88 (Debian 12) takes a
    /// Content-Length as the end of the exchange, never reads the reset, and then spins forever trying to send the rest
    /// of the body into a window that will not open; without one it reads on to the reset and stops.
    /// </summary>
    private sealed class CloseConnectionResult(IResult inner) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            if (HttpProtocol.IsHttp11(http.Request.Protocol) || HttpProtocol.IsHttp10(http.Request.Protocol))
            {
                http.Response.Headers.Connection = "close";
                await inner.ExecuteAsync(http);
                return;
            }

            http.Response.OnStarting(() =>
            {
                http.Response.ContentLength = null;
                return Task.CompletedTask;
            });
            await inner.ExecuteAsync(http);
            if (http.Features.Get<IHttpResetFeature>() is { } reset)
            {
                await http.Response.CompleteAsync();
                reset.Reset(errorCode: 0);
            }
        }
    }
}
