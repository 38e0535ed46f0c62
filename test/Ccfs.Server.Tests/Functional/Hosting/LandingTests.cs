using System.Net.Http.Headers;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Hosting;

/// <summary>The page at <c>/</c>: HTML for a browser, JSON for a client that asks for it, no development keys when accounts exist.</summary>
public sealed class LandingTests : IDisposable
{
    private readonly CcfsFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_client_asking_for_json_gets_the_version_interfaces_and_links_and_no_development_account()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await _factory.CreateClient().SendAsync(request);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var landing = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(CcfsVersion.Version, landing.GetProperty("version").GetString());
        Assert.Equal("http://localhost" + CcfsPaths.GetFileHash, landing.GetProperty("interfaces").GetProperty("getFileHash").GetString());
        Assert.Equal("/admin", landing.GetProperty("links").GetProperty("admin").GetString());
        Assert.Equal("/readyz", landing.GetProperty("links").GetProperty("readiness").GetString());
        Assert.Equal(JsonValueKind.Null, landing.GetProperty("developmentAccount").ValueKind);
    }

    [Fact]
    public async Task A_browser_gets_the_page_without_development_keys_when_accounts_are_configured()
    {
        using var response = await _factory.CreateClient().GetAsync("/");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<span id=\"version\">{CcfsVersion.Version}</span>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"accounts\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("ccfs-dev", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
    }
}
