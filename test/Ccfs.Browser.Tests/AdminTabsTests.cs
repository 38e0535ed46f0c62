using System.Net;
using System.Security.Cryptography;
using Ccfs.Protocol.Auth;
using Microsoft.Playwright;

namespace Ccfs.Browser.Tests;

/// <summary>
/// The admin page at 1280×900, tab by tab: every control fits and can be clicked, files come newest first, and the
/// accounts, audit and scrub tabs do what the admin API does, checked through the API and the CC-FS interfaces.
/// </summary>
[Collection(AdminPageCollection.Name)]
public sealed class AdminTabsTests(AdminPageHost host)
{
    private static readonly string[] Tabs = ["files", "accounts", "audit", "scrub", "parameters", "events", "faults", "journal"];

    [Fact]
    public async Task Every_tab_fits_1280_by_900_with_every_control_visible_and_clickable()
    {
        for (var i = 0; i < 3; i++)
        {
            await host.Admin.StoreAsync(Samples.Sine, AdminPageHost.Vdn);
        }

        var page = await host.SignedInAsync();
        await page.Locator("#files-body tr button.delete").First.WaitForAsync();

        foreach (var tab in Tabs)
        {
            await OpenTabAsync(page, tab);
            await AdminPageHost.AssertEveryControlUsableAsync(page);
            await AdminPageHost.ScreenshotAsync(page, $"10-tab-{tab}");
        }

        // The controls the old layout pushed out of sight.
        await OpenTabAsync(page, "files");
        foreach (var control in new[] { "button.play", "button.delete" })
        {
            var box = (await page.Locator($"#files-body tr {control}").First.BoundingBoxAsync())!;
            Assert.InRange(box.X + box.Width, 1, AdminPageHost.ViewportWidth);
        }
    }

    [Fact]
    public async Task Files_are_listed_newest_first()
    {
        var stored = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            stored.Add(await host.Admin.StoreAsync(Samples.Sine, AdminPageHost.Vdn));
        }

        var page = await host.SignedInAsync();
        await page.Locator($"#files-body tr[data-file-name=\"{stored[^1]}\"]").WaitForAsync();

        var shown = await page.Locator("#files-body tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.fileName)");
        Assert.Equal(Enumerable.Reverse(stored), shown.Take(3));
        var created = (await page.Locator("#files-body tr td:nth-child(4)").EvaluateAllAsync<string[]>("cells => cells.map(c => c.title)"))
            .Select(c => DateTimeOffset.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(created.OrderDescending(), created);
    }

    [Fact]
    public async Task An_account_is_created_with_its_secret_shown_once_then_disabled_enabled_rotated_and_its_old_secret_retired()
    {
        var page = await host.SignedInAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await OpenTabAsync(page, "accounts");
        var accessKey = "page-created-" + RandomNumberGenerator.GetHexString(6, lowercase: true);

        // Configuration accounts are listed, read-only.
        var configured = page.Locator($"#accounts-body tr[data-access-key=\"{AdminPageHost.AccessKey}\"]");
        await configured.WaitForAsync();
        Assert.Equal(0, await configured.Locator("button").CountAsync());

        await page.FillAsync("#account-vdns", $"{AdminPageHost.Vdn}, 60");
        await page.FillAsync("#account-ak", accessKey);
        await page.FillAsync("#account-description", "made by the page test");
        await page.ClickAsync("#account-create");
        await page.Locator("#new-secret").WaitForAsync();
        Assert.Equal(accessKey, await page.TextContentAsync("#new-secret-ak"));
        var firstSecret = (await page.TextContentAsync("#new-secret-value"))!;
        Assert.Equal(40, firstSecret.Length);
        var row = page.Locator($"#accounts-body tr[data-access-key=\"{accessKey}\"]");
        await row.WaitForAsync();
        Assert.Contains($"{AdminPageHost.Vdn}, 60", await row.TextContentAsync(), StringComparison.Ordinal);
        await AdminPageHost.AssertEveryControlUsableAsync(page);
        await AdminPageHost.ScreenshotAsync(page, "11-account-created");
        Assert.Equal(HttpStatusCode.OK, await HashStatusAsync(accessKey, firstSecret));

        // Shown once: gone when dismissed, and not in the list nor anywhere in the page after a reload.
        await page.ClickAsync("#new-secret-dismiss");
        Assert.False(await page.Locator("#new-secret").IsVisibleAsync());
        await page.ReloadAsync();
        await row.WaitForAsync();
        Assert.DoesNotContain(firstSecret, await page.ContentAsync(), StringComparison.Ordinal);

        await row.Locator("button.toggle").ClickAsync();
        await page.Locator($"#accounts-body tr[data-access-key=\"{accessKey}\"][data-disabled=true]").WaitForAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await HashStatusAsync(accessKey, firstSecret));
        await row.Locator("button.toggle").ClickAsync();
        await page.Locator($"#accounts-body tr[data-access-key=\"{accessKey}\"][data-disabled=false]").WaitForAsync();
        Assert.Equal(HttpStatusCode.OK, await HashStatusAsync(accessKey, firstSecret));

        await row.Locator("button.rotate").ClickAsync();
        await page.Locator($"#accounts-body tr[data-access-key=\"{accessKey}\"][data-secrets=\"2\"]").WaitForAsync();
        var secondSecret = (await page.TextContentAsync("#new-secret-value"))!;
        Assert.NotEqual(firstSecret, secondSecret);
        Assert.Equal(HttpStatusCode.OK, await HashStatusAsync(accessKey, firstSecret));
        Assert.Equal(HttpStatusCode.OK, await HashStatusAsync(accessKey, secondSecret));
        await AdminPageHost.ScreenshotAsync(page, "12-account-rotated");

        // A third secret is refused until the older one is retired; the page says what to do.
        await row.Locator("button.rotate").ClickAsync();
        await page.Locator("#accounts-error").WaitForAsync();
        Assert.Contains("retire the old secret first", await page.TextContentAsync("#accounts-error-text"), StringComparison.Ordinal);

        await row.Locator("button.retire").ClickAsync();
        await page.Locator($"#accounts-body tr[data-access-key=\"{accessKey}\"][data-secrets=\"1\"]").WaitForAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, await HashStatusAsync(accessKey, firstSecret));
        Assert.Equal(HttpStatusCode.OK, await HashStatusAsync(accessKey, secondSecret));
    }

    [Fact]
    public async Task The_audit_trail_is_listed_newest_first_filtered_and_paged()
    {
        var fileName = $"Y:/3rdfile/{AdminPageHost.Vdn}/thirdvoicebotfile/audit-{RandomNumberGenerator.GetHexString(8, lowercase: true)}.wav";
        const int Calls = 55;
        for (var i = 0; i < Calls; i++)
        {
            // deleteFile has no flow control, unlike getFileHash, so every call is answered (and audited) in full.
            using var response = await host.Admin.DeleteAsync(fileName);
            await CcfsAnswer.AssertTripleAsync(response, "0300011", "The file does not exist.");
        }

        await AuditedAsync(fileName, Calls);
        var page = await host.SignedInAsync();
        await OpenTabAsync(page, "audit");
        await page.Locator("#audit-body tr").First.WaitForAsync();
        Assert.True(await page.Locator("#audit-body tr").CountAsync() > 1);

        await page.FillAsync("#audit-interface", "deleteFile");
        await page.FillAsync("#audit-file", fileName);
        await page.ClickAsync("#audit-apply");
        await page.WaitForFunctionAsync(Filtered, new object[] { fileName, 50 });
        await page.ClickAsync("#audit-more");
        await page.WaitForFunctionAsync(Filtered, new object[] { fileName, Calls });
        Assert.False(await page.Locator("#audit-more").IsVisibleAsync());

        var rows = page.Locator("#audit-body tr");
        var ids = (await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)")).Select(long.Parse).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        foreach (var text in await rows.AllTextContentsAsync())
        {
            Assert.Contains("deleteFile", text, StringComparison.Ordinal);
            Assert.Contains(AdminPageHost.AccessKey, text, StringComparison.Ordinal);
            Assert.Contains("0300011", text, StringComparison.Ordinal);
        }

        await AdminPageHost.AssertEveryControlUsableAsync(page);
        await AdminPageHost.ScreenshotAsync(page, "13-audit-filtered");

        // Unfiltered, the trail holds more than these calls: a first page of 50 again, and older entries to read.
        await page.ClickAsync("#audit-clear");
        await page.Locator("#audit-more").WaitForAsync();
        Assert.Equal(50, await rows.CountAsync());
        Assert.Equal("", await page.InputValueAsync("#audit-file"));
    }

    [Fact]
    public async Task A_scrub_reports_a_corrupt_copy_and_a_scrub_with_repair_restores_it()
    {
        var fileName = await host.Admin.StoreAsync(Samples.Sine, AdminPageHost.Vdn);
        var stored = host.StoredPath(fileName);
        var damaged = await File.ReadAllBytesAsync(stored);
        damaged[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(stored, damaged);

        var page = await host.SignedInAsync();
        await OpenTabAsync(page, "scrub");
        await page.ClickAsync("#scrub-run");
        var problem = page.Locator($"#scrub-problems-body tr[data-file-name=\"{fileName}\"]");
        await problem.WaitForAsync();
        Assert.Equal("corrupt", await problem.GetAttributeAsync("data-kind"));
        Assert.Equal("false", await problem.GetAttributeAsync("data-repaired"));
        Assert.Matches("Scrub done: [1-9][0-9]* problems?, 0 repaired", await page.TextContentAsync("#scrub-status"));
        Assert.Equal(damaged, await File.ReadAllBytesAsync(stored));
        await AdminPageHost.AssertEveryControlUsableAsync(page);
        await AdminPageHost.ScreenshotAsync(page, "14-scrub-report");

        await page.CheckAsync("#scrub-repair");
        await page.ClickAsync("#scrub-run");
        await page.Locator($"#scrub-problems-body tr[data-file-name=\"{fileName}\"][data-repaired=true]").WaitForAsync();
        Assert.Contains("with repair", await page.TextContentAsync("#scrub-status"), StringComparison.Ordinal);
        Assert.Equal(Samples.Sine, await File.ReadAllBytesAsync(stored));
        await AdminPageHost.ScreenshotAsync(page, "15-scrub-repaired");
    }

    /// <summary>The audit table shows the answer to the latest query: <c>[file, rows]</c> rows, each of that file.</summary>
    private const string Filtered = """
        ([file, count]) => {
          const rows = [...document.querySelectorAll('#audit-body tr')];
          return document.getElementById('audit-table').dataset.state === 'done' && rows.length === count
            && rows.every(r => r.textContent.includes(file));
        }
        """;

    private static async Task OpenTabAsync(IPage page, string tab)
    {
        await page.ClickAsync($"#tabs button[data-tab={tab}]");
        await page.Locator($"#{tab}-tab").WaitForAsync(new() { State = WaitForSelectorState.Visible });
    }

    /// <summary>
    /// Waits until the audit API lists <paramref name="count"/> entries of the file: a call is recorded once its answer
    /// has been written, so the client may have the answer a moment before the trail has the entry.
    /// </summary>
    private async Task AuditedAsync(string fileName, int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var response = await host.Admin.SendAsync(HttpMethod.Get, "/admin/api/audit?limit=1000&file=" + Uri.EscapeDataString(fileName));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            if (json.RootElement.GetProperty("entries").GetArrayLength() == count)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the audit trail never listed {count} calls for {fileName}");
    }

    /// <summary>What getFileHash of a missing file answers for these keys: 200 (0300011) when they sign, else 401.</summary>
    private async Task<HttpStatusCode> HashStatusAsync(string accessKey, string secretKey)
    {
        var client = new SignedClient(host.Http, new AccessKeyCredential(accessKey, secretKey), TimeProvider.System);
        using var response = await client.HashAsync($"Y:/3rdfile/{AdminPageHost.Vdn}/thirdvoicebotfile/none.wav");
        return response.StatusCode;
    }
}
