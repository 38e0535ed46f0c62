using System.Text.RegularExpressions;
using Ccfs.Protocol;
using Microsoft.Playwright;

namespace Ccfs.Browser.Tests;

/// <summary>
/// The page at <c>/</c> as a person who opens the server's address sees it: what it is, its version, the endpoint and
/// the links onward; the development account's keys only on a development server (no account, loopback only).
/// </summary>
[Collection(AdminPageCollection.Name)]
public sealed partial class LandingPageTests(AdminPageHost host)
{
    [Fact]
    public async Task A_server_with_accounts_says_what_it_is_and_links_on_without_showing_development_keys()
    {
        var page = await host.NewPageAsync();

        var response = await page.GotoAsync("/");

        Assert.Equal(200, response!.Status);
        Assert.Equal(CcfsVersion.Version, await page.Locator("#version").TextContentAsync());
        Assert.Contains("CC-FS third-party IVR file interfaces", await page.Locator("#what").TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains($"{host.BaseAddress}{CcfsPaths.UploadFile}?vdnId=", await page.Locator("#interfaces").TextContentAsync(),
            StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#development").CountAsync());
        Assert.DoesNotContain("ccfs-dev-sk", await page.ContentAsync(), StringComparison.Ordinal);
        await AdminPageHost.AssertEveryControlUsableAsync(page);
        await AdminPageHost.ScreenshotAsync(page, "30-landing");

        // Each link leads somewhere that answers; the admin page one opens the admin page.
        foreach (var (name, path) in new[] { ("Admin page", "/admin"), ("API reference", "/scalar"), ("OpenAPI document", "/openapi/v1.json"), ("/readyz", "/readyz") })
        {
            Assert.Equal(path, await page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).GetAttributeAsync("href"));
            using var answer = await host.Http.GetAsync(path);
            Assert.True(answer.IsSuccessStatusCode, $"{path}: {(int)answer.StatusCode}");
        }

        Assert.Matches(HttpsUrl(), await page.GetByRole(AriaRole.Link, new() { Name = "Documentation", Exact = true }).GetAttributeAsync("href"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Admin page", Exact = true }).ClickAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]");
        Assert.EndsWith("/admin", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_development_server_shows_the_development_account()
    {
        var endpoint = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var dataDir = Path.Combine(Path.GetTempPath(), "ccfs-browser-tests", Guid.NewGuid().ToString("N"));
        var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = dataDir }, "--urls", endpoint);
        try
        {
            using (var http = new HttpClient { BaseAddress = new Uri(endpoint) })
            {
                await server.WaitUntilHealthyAsync(http);
            }

            var page = await host.NewPageAsync();
            await page.GotoAsync(endpoint + "/");

            Assert.Equal("ccfs-dev-ak", await page.Locator("#dev-ak").TextContentAsync());
            Assert.Equal("ccfs-dev-sk-not-for-production", await page.Locator("#dev-sk").TextContentAsync());
            Assert.Equal("1", await page.Locator("#dev-vdn").TextContentAsync());
            Assert.Contains(endpoint + CcfsPaths.DeleteFile, await page.Locator("#interfaces").TextContentAsync(), StringComparison.Ordinal);
            await AdminPageHost.AssertEveryControlUsableAsync(page);
            await AdminPageHost.ScreenshotAsync(page, "31-landing-development");
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [GeneratedRegex("^https://")]
    private static partial Regex HttpsUrl();
}
