using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Ccfs.Browser.Tests;

/// <summary>The API reference at /scalar, as an integrator without internet sees it.</summary>
[Collection(AdminPageCollection.Name)]
public sealed class ScalarPageTests(AdminPageHost host)
{
    [Fact]
    public async Task Scalar_renders_the_API_with_every_outside_host_blocked_and_shows_no_hosted_service_buttons()
    {
        var page = await host.NewPageAsync();
        var outside = new ConcurrentQueue<string>();
        await page.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url) is { Scheme: "http" or "https" } url && url.Host != "127.0.0.1")
            {
                outside.Enqueue(route.Request.Url);
                await route.AbortAsync("internetdisconnected");
                return;
            }

            await route.ContinueAsync();
        });

        await page.GotoAsync("/scalar");

        // Rendered from the OpenAPI document: the interfaces in the sidebar, the upload path and its vdnId parameter.
        await page.GetByText("Upload a prompt", new() { Exact = true }).First.WaitForAsync();
        await page.GetByText("/CCFS/resource/ccfs/ivr/uploadFile").First.WaitForAsync();
        await page.GetByText("Administration", new() { Exact = true }).First.WaitForAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await AdminPageHost.ScreenshotAsync(page, "20-scalar");

        Assert.Empty(outside);
        foreach (var label in new[] { "Ask AI", "Generate SDK", "Deploy", "Developer Tools" })
        {
            Assert.Equal(0, await page.GetByText(label).CountAsync());
        }
    }
}
