using System.Net.Http.Headers;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Development;
using Microsoft.AspNetCore.Mvc.Testing;

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
        Assert.Contains("/blob/main/docs/auth-v2.md\"", html, StringComparison.Ordinal);
        Assert.Contains("/blob/main/samples/README.md\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_development_server_away_from_the_default_endpoint_shows_the_tool_and_the_sdk_its_own_address()
    {
        using var factory = CcfsFactory.With([], withAccounts: false);

        var html = await (await factory.CreateClient().GetAsync("/")).Content.ReadAsStringAsync();

        Assert.Contains("id=\"dev-ak\"", html, StringComparison.Ordinal);
        Assert.Contains("ccfs upload --endpoint http://localhost prompt.wav", html, StringComparison.Ordinal);
        Assert.Contains("export CCFS_ENDPOINT=http://localhost\n", html, StringComparison.Ordinal);
        Assert.Contains("options.Endpoint = new Uri(\"http://localhost\");", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<pre>ccfs upload prompt.wav</pre>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("new CcfsClient(CcfsClientOptions.Development())", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_development_server_at_the_default_endpoint_shows_the_tool_and_the_sdk_without_one()
    {
        using var factory = CcfsFactory.With([], withAccounts: false);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(DevelopmentServer.Endpoint) });

        var html = await (await client.GetAsync("/")).Content.ReadAsStringAsync();

        Assert.Contains("<pre>ccfs upload prompt.wav</pre>", html, StringComparison.Ordinal);
        Assert.Contains("new CcfsClient(CcfsClientOptions.Development())", html, StringComparison.Ordinal);
        Assert.DoesNotContain("--endpoint", html, StringComparison.Ordinal);
    }
}
