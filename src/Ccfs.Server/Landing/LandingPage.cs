using System.Net;
using System.Reflection;
using System.Text;
using Ccfs.Protocol;
using Ccfs.Protocol.Development;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Landing;

/// <summary>
/// What a person who opens the server's address in a browser sees at <c>/</c>: what this server is, its version, the
/// interfaces' addresses, the development account when (and only when) it is the one in use, and links to the admin
/// page, the API reference, <c>/readyz</c> and the docs. A client asking for <c>application/json</c> gets the same as
/// JSON. The page is one embedded template and a style sheet, served the way the admin page is: no script.
/// </summary>
public static class LandingPage
{
    public const string Path = "/";

    private const string StylePath = "/landing.css";

    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

    private static readonly Lazy<string> Template = new(() => Resource("index.html"));

    private static readonly Lazy<byte[]> Style = new(() => Encoding.UTF8.GetBytes(Resource("landing.css")));

    /// <summary>Where the documentation lives: the repository's docs folder (<c>RepositoryUrl</c> of the build).</summary>
    public static string DocsUrl { get; } = typeof(LandingPage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "RepositoryUrl")?.Value is { Length: > 0 } repository
        ? repository.TrimEnd('/') + "/tree/main/docs"
        : "https://github.com/search?q=ccfs+CC-FS&type=repositories";

    public static void Map(WebApplication app)
    {
        app.MapGet(Path, (HttpContext http, CcfsSettings settings) => Answer(http, settings)).ExcludeFromDescription();
        app.MapGet(StylePath, (HttpContext http) =>
        {
            Secure(http.Response);
            return TypedResults.Bytes(Style.Value, "text/css; charset=utf-8");
        }).ExcludeFromDescription();
    }

    private static IResult Answer(HttpContext http, CcfsSettings settings)
    {
        var endpoint = $"{http.Request.Scheme}://{http.Request.Host.Value}";
        Secure(http.Response);
        if (WantsJson(http.Request))
        {
            return TypedResults.Json(new LandingInfo(
                "ccfs",
                CcfsVersion.Version,
                "A server for the Huawei CEC CC-FS third-party IVR file interfaces",
                endpoint,
                new Dictionary<string, string>
                {
                    ["uploadFile"] = endpoint + CcfsPaths.UploadFile + "?vdnId={vdnId}",
                    ["deleteFile"] = endpoint + CcfsPaths.DeleteFile,
                    ["getFileHash"] = endpoint + CcfsPaths.GetFileHash,
                    ["downloadFile"] = endpoint + CcfsPaths.DownloadFile,
                },
                settings.UsesDevelopmentAccount
                    ? new DevelopmentAccountInfo(DevelopmentServer.AccessKey, DevelopmentServer.SecretKey, [DevelopmentServer.VdnId])
                    : null,
                new Dictionary<string, string>
                {
                    ["admin"] = "/admin",
                    ["apiReference"] = "/scalar",
                    ["openApi"] = "/openapi/v1.json",
                    ["readiness"] = "/readyz",
                    ["docs"] = DocsUrl,
                }));
        }

        var page = Template.Value
            .Replace("{{version}}", WebUtility.HtmlEncode(CcfsVersion.Version), StringComparison.Ordinal)
            .Replace("{{endpoint}}", WebUtility.HtmlEncode(endpoint), StringComparison.Ordinal)
            .Replace("{{docs}}", WebUtility.HtmlEncode(DocsUrl), StringComparison.Ordinal)
            .Replace("{{access}}", settings.UsesDevelopmentAccount ? DevelopmentSection() : AccountsSection(), StringComparison.Ordinal);
        return TypedResults.Text(page, "text/html; charset=utf-8");
    }

    /// <summary>JSON only when asked for and HTML not: a browser's <c>*/*</c> and curl's default get the page.</summary>
    private static bool WantsJson(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().Accept;
        return accepted.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            && !accepted.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }

    private static void Secure(HttpResponse response)
    {
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static string DevelopmentSection() => $"""
            <section id="development">
              <h2>Development account</h2>
              <p>No account is configured and this server listens on loopback only, so this well-known account is the one it
                accepts. It works only on this machine; configure accounts before the server listens anywhere else.</p>
              <table>
                <tr><th>access key (AK)</th><td><code id="dev-ak">{DevelopmentServer.AccessKey}</code></td></tr>
                <tr><th>secret key (SK)</th><td><code id="dev-sk">{DevelopmentServer.SecretKey}</code></td></tr>
                <tr><th>VDN</th><td><code id="dev-vdn">{DevelopmentServer.VdnId}</code></td></tr>
              </table>
              <p>The <code>ccfs</code> tool and the SDK use it, and trust this server's certificate, by default:</p>
              <pre>ccfs upload prompt.wav</pre>
              <pre>var client = new CcfsClient(CcfsClientOptions.Development());
        var upload = await client.UploadAsync("prompt.wav", vdnId: 1);</pre>
            </section>
        """;

    private static string AccountsSection() => """
            <section id="accounts">
              <h2>Access</h2>
              <p>Requests are signed with an access key and secret key that the operator of this server issues, bound to
                your VDNs.</p>
            </section>
        """;

    private static string Resource(string name)
    {
        using var stream = typeof(LandingPage).Assembly.GetManifestResourceStream("Landing/" + name)
            ?? throw new InvalidOperationException($"the landing page's {name} is not embedded in the server");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>The landing page as JSON, for a client that asks for it.</summary>
public sealed record LandingInfo(string Name, string Version, string Description, string Endpoint, IReadOnlyDictionary<string, string> Interfaces,
    DevelopmentAccountInfo? DevelopmentAccount, IReadOnlyDictionary<string, string> Links);

/// <summary>The development account, shown only while it is the account in use.</summary>
public sealed record DevelopmentAccountInfo(string AccessKey, string SecretKey, IReadOnlyList<int> VdnIds);
