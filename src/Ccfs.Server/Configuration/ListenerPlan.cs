using System.Net;

namespace Ccfs.Server.Configuration;

/// <summary>
/// Where the server will listen, read from configuration before Kestrel starts: <c>urls</c> (<c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>), <c>http_ports</c>/<c>https_ports</c> and <c>Kestrel:Endpoints</c>. With none of them the
/// server listens on HTTPS 127.0.0.1:8443.
/// </summary>
public sealed record ListenerPlan(bool UseDefaultHttps, IReadOnlyList<string> Urls)
{
    public const int DefaultHttpsPort = 8443;

    public static readonly string DefaultUrl = $"https://127.0.0.1:{DefaultHttpsPort}";

    /// <summary>The addresses that are not loopback; the development account exists only while this is empty.</summary>
    public IReadOnlyList<string> NonLoopbackUrls => [.. Urls.Where(u => !IsLoopback(u))];

    public bool NeedsHttpsCertificate => UseDefaultHttps || Urls.Any(u => u.StartsWith("https:", StringComparison.OrdinalIgnoreCase));

    public static ListenerPlan From(IConfiguration configuration)
    {
        var urls = new List<string>();
        urls.AddRange(Split(configuration["urls"], ';'));
        urls.AddRange(Split(configuration["http_ports"], ';', ',').Select(p => $"http://*:{p}"));
        urls.AddRange(Split(configuration["https_ports"], ';', ',').Select(p => $"https://*:{p}"));
        urls.AddRange(configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => e["Url"]).OfType<string>().Where(u => u.Length > 0));
        return urls.Count == 0 ? new ListenerPlan(true, [DefaultUrl]) : new ListenerPlan(false, urls);
    }

    /// <summary>True for <c>localhost</c>, 127.0.0.0/8 and ::1; false for wildcards and every other host.</summary>
    public static bool IsLoopback(string url)
    {
        var rest = url;
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash >= 0 ? rest[..slash] : rest;
        string host;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            host = close > 0 ? authority[1..close] : authority;
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon >= 0 ? authority[..colon] : authority;
        }

        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    private static IEnumerable<string> Split(string? value, params char[] separators) =>
        (value ?? "").Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
