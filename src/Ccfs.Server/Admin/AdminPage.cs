using System.Collections.Frozen;

namespace Ccfs.Server.Admin;

/// <summary>
/// The admin web page at <c>/admin</c>: a few static files embedded in the server assembly (no CDN, no build step), so
/// it works the same from <c>dotnet run</c>, the built dll and the tool package. The page signs its own API calls.
/// </summary>
public static class AdminPage
{
    public const string Path = "/admin";

    private const string ResourcePrefix = "AdminPage/";

    /// <summary>Everything the page loads comes from this server; media and pictures may also be blob: URLs it made.</summary>
    private const string ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, byte[]>> Assets = new(LoadAssets);

    public static void Map(WebApplication app)
    {
        app.MapGet(Path, (HttpContext http) => Serve(http, "index.html")).ExcludeFromDescription();
        app.MapGet(Path + "/{asset}", (string asset, HttpContext http) => Serve(http, asset)).ExcludeFromDescription();
    }

    private static IResult Serve(HttpContext http, string asset)
    {
        if (!Assets.Value.TryGetValue(asset, out var bytes))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Bytes(bytes, ContentTypes[System.IO.Path.GetExtension(asset)]);
    }

    private static FrozenDictionary<string, byte[]> LoadAssets()
    {
        var assembly = typeof(AdminPage).Assembly;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            if (!ContentTypes.ContainsKey(System.IO.Path.GetExtension(name)))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name[ResourcePrefix.Length..]] = copy.ToArray();
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
