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

    /// <summary>The repository (<c>RepositoryUrl</c> of the build), or null when the build names none.</summary>
    private static readonly string? RepositoryUrl = typeof(LandingPage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "RepositoryUrl")?.Value is { Length: > 0 } repository
        ? repository.TrimEnd('/')
        : null;

    /// <summary>Where the documentation lives: the repository's docs folder.</summary>
    public static string DocsUrl { get; } = RepositoryUrl is null
        ? "https://github.com/search?q=ccfs+CC-FS&type=repositories"
        : RepositoryUrl + "/tree/main/docs";

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
            .Replace("{{otherClients}}", OtherClientsLinks(), StringComparison.Ordinal)
            .Replace("{{access}}", settings.UsesDevelopmentAccount ? DevelopmentSection(endpoint) : AccountsSection(), StringComparison.Ordinal);
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

    /// <summary>
    /// The development account, and how the tool and the SDK reach this server: their default endpoint
    /// (<see cref="DevelopmentServer.Endpoint"/>) when the page was reached there, else this server's own address.
    /// </summary>
    private static string DevelopmentSection(string endpoint)
    {
        var atDefault = IsDefaultEndpoint(endpoint);
        var shown = WebUtility.HtmlEncode(endpoint);
        var clients = atDefault
            ? """
                  <p>The <code>ccfs</code> tool and the SDK use it, and trust this server's certificate, by default:</p>
                  <pre>ccfs upload prompt.wav</pre>
                  <pre>var client = new CcfsClient(CcfsClientOptions.Development());
            var upload = await client.UploadAsync("prompt.wav", vdnId: 1);</pre>
            """
            : $"""
                  <p>The <code>ccfs</code> tool and the SDK use it, and trust this server's certificate, by default, but they
                    look for the server at <code>{DevelopmentServer.Endpoint}</code>, where this one does not listen. Name its
                    address: to the tool with <code>--endpoint</code>, or once for the shell with <code>CCFS_ENDPOINT</code>:</p>
                  <pre id="dev-cli">ccfs upload --endpoint {shown} prompt.wav</pre>
                  <pre id="dev-env">export CCFS_ENDPOINT={shown}
            ccfs upload prompt.wav</pre>
                  <p>The SDK needs the endpoint set too (<code>Development()</code> also reads <code>CCFS_ENDPOINT</code>):</p>
                  <pre id="dev-sdk">var options = CcfsClientOptions.Development();
            options.Endpoint = new Uri("{shown}");
            var client = new CcfsClient(options);
            var upload = await client.UploadAsync("prompt.wav", vdnId: 1);</pre>
            """;
        return $"""
                <section id="development">
                  <h2>Development account</h2>
                  <p>No account is configured and this server listens on loopback only, so this well-known account is the one it
                    accepts. It works only on this machine; configure accounts before the server listens anywhere else.</p>
                  <table>
                    <tr><th>access key (AK)</th><td><code id="dev-ak">{DevelopmentServer.AccessKey}</code></td></tr>
                    <tr><th>secret key (SK)</th><td><code id="dev-sk">{DevelopmentServer.SecretKey}</code></td></tr>
                    <tr><th>VDN</th><td><code id="dev-vdn">{DevelopmentServer.VdnId}</code></td></tr>
                  </table>
            {clients}
                </section>
            """;
    }

    /// <summary>Whether the tool's and the SDK's default endpoint reaches the server the page was asked of.</summary>
    private static bool IsDefaultEndpoint(string endpoint) => string.Equals(endpoint, DevelopmentServer.Endpoint, StringComparison.OrdinalIgnoreCase);

    /// <summary>Links for a client in another language: the signing scheme and the samples, when the build names its repository.</summary>
    private static string OtherClientsLinks() => RepositoryUrl is null
        ? ""
        : $"""
            <li>A client in another language: <a href="{WebUtility.HtmlEncode(RepositoryUrl + "/blob/main/docs/auth-v2.md")}">auth-v2.md</a>
                  (signing, with a worked example) and <a href="{WebUtility.HtmlEncode(RepositoryUrl + "/blob/main/samples/README.md")}">samples</a>
                  (Python and Java).</li>
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
