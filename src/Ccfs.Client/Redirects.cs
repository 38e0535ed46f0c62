namespace Ccfs.Client;

/// <summary>
/// A signed CC-FS request goes to the endpoint and nowhere else: following a redirect would hand its body (an upload's
/// whole file) and its Host to another origin, and read that origin's answer as CC-FS's.
/// </summary>
internal static class Redirects
{
    /// <summary>
    /// The refusal for an answer that is a redirect, or that came from another origin an HttpClient that follows
    /// redirects was sent to; null for an answer from the endpoint itself. A handler that rewrites only the path (a
    /// proxy's mapping) is left alone: the endpoint still judges the signature.
    /// </summary>
    public static CcfsRequestException? Refusal(HttpResponseMessage response, Uri sentTo)
    {
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400)
        {
            var location = response.Headers.Location is { } named ? new Uri(sentTo, named).ToString() : "nowhere (no Location)";
            return new CcfsRequestException(status, null, null, $"the endpoint answered HTTP {status}, a redirect to {location}: a signed "
                + "CC-FS request is never followed elsewhere; check the endpoint's scheme, host, port and path");
        }

        return response.RequestMessage?.RequestUri is { } answeredFrom && !SameOrigin(answeredFrom, sentTo)
            ? new CcfsRequestException(status, null, null, $"the request was redirected to {answeredFrom} and the HttpClient followed it: "
                + "a signed CC-FS request must not be; give CcfsClient an HttpClient whose handler has AllowAutoRedirect off "
                + "(CcfsHttpHandler.Create's has)")
            : null;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
}
