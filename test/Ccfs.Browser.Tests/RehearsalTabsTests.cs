using System.Net;
using Microsoft.Playwright;

namespace Ccfs.Browser.Tests;

/// <summary>
/// The Faults and Journal tabs: a rule added with the form acts on the next upload, and the journal, open meanwhile,
/// shows that upload with its rule without being reloaded.
/// </summary>
[Collection(AdminPageCollection.Name)]
public sealed class RehearsalTabsTests(AdminPageHost host)
{
    [Fact]
    public async Task A_rule_added_on_the_faults_tab_acts_and_the_journal_shows_it_live()
    {
        var page = await host.SignedInAsync();
        await OpenTabAsync(page, "faults");
        await page.SelectOptionAsync("#fault-interface", "uploadFile");
        await page.FillAsync("#fault-vdn", AdminPageHost.Vdn.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#fault-code", "0300503");
        await page.FillAsync("#fault-times", "1");
        await page.ClickAsync("#fault-add");
        var row = page.Locator("#faults-body tr").Last;
        await row.WaitForAsync();
        var id = await row.GetAttributeAsync("data-id");
        await AdminPageHost.ScreenshotAsync(page, "40-faults");

        await OpenTabAsync(page, "journal");
        using var upload = await host.Admin.UploadAsync(Samples.Sine, AdminPageHost.Vdn);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        Assert.Equal(id, upload.Headers.GetValues("X-Ccfs-Fault").Single());
        // The rule's own admin:addFault entry names it too; the upload's is the uploadFile one.
        var entry = page.Locator("#journal-body tr", new() { HasText = id! }).Filter(new() { HasText = "uploadFile" });
        await entry.WaitForAsync();
        Assert.Contains("0300503 (HTTP 503)", await entry.InnerTextAsync(), StringComparison.Ordinal);
        await AdminPageHost.ScreenshotAsync(page, "41-journal");
    }

    private static async Task OpenTabAsync(IPage page, string tab)
    {
        await page.ClickAsync($"#tabs button[data-tab={tab}]");
        await page.Locator($"#{tab}-tab").WaitForAsync(new() { State = WaitForSelectorState.Visible });
    }
}
