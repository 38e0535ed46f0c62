using Ccfs.Client;
using Microsoft.AspNetCore.Http;

namespace Ccfs.Client.Tests;

/// <summary>SDK clients, on the handler a real application gets, pointed at a <see cref="FakeEndpoint"/> that answers wrongly.</summary>
internal static class HostileEndpoint
{
    public static CcfsClient Client(FakeEndpoint endpoint, Action<CcfsClientOptions>? configure = null)
    {
        var options = new CcfsClientOptions
        {
            Endpoint = new Uri(endpoint.Endpoint),
            AccessKey = CcfsFactory.AccessKey,
            SecretKey = CcfsFactory.SecretKey,
            RetryDelay = TimeSpan.FromMilliseconds(1),
        };
        configure?.Invoke(options);
        return new CcfsClient(options);
    }

    /// <summary>A CC-FS answer as an endpoint writes it, with the Content-Type it is given (none when null).</summary>
    public static Task AnswerAsync(HttpContext http, string json, string? contentType = "application/json;charset=UTF-8", int status = 200)
    {
        http.Response.StatusCode = status;
        if (contentType is not null)
        {
            http.Response.ContentType = contentType;
        }

        return http.Response.WriteAsync(json);
    }
}
