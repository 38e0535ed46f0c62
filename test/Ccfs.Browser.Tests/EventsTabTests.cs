using System.Text.Json;
using Microsoft.Playwright;

namespace Ccfs.Browser.Tests;

/// <summary>
/// The Events tab: a subscription is made with its secret shown once, a refused event shows in its dead letter and is
/// redelivered from there, and the subscription is disabled, all checked at the receiver and through the admin API.
/// </summary>
[Collection(AdminPageCollection.Name)]
public sealed class EventsTabTests(AdminPageHost host)
{
    [Fact]
    public async Task A_subscription_is_made_its_refused_event_redelivered_from_the_dead_letter_and_it_is_disabled()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var refuse = true;
        receiver.Answer = (_, _) => refuse ? 400 : 204;
        var page = await host.SignedInAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.ClickAsync("#tabs button[data-tab=events]");
        await page.Locator("#events-tab").WaitForAsync(new() { State = WaitForSelectorState.Visible });

        await page.FillAsync("#subscription-url", receiver.Url.ToString());
        await page.FillAsync("#subscription-vdns", AdminPageHost.Vdn.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#subscription-description", "page test");
        await page.ClickAsync("#subscription-create");
        await page.Locator("#subscription-secret").WaitForAsync();
        var secret = await page.TextContentAsync("#subscription-secret-value");
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        receiver.Secret = secret;
        var row = page.Locator("#subscriptions-body tr", new() { HasText = receiver.Url.ToString() });
        await row.WaitForAsync();
        await page.ClickAsync("#subscription-secret-dismiss");
        Assert.Equal("", await page.TextContentAsync("#subscription-secret-value"));

        var name = await host.Admin.StoreAsync(Samples.Sine, AdminPageHost.Vdn);
        await receiver.WaitForAsync(r => r.Received.Count >= 1, "the first attempt");
        // The dead letter shows once the refusal is recorded.
        var letter = page.Locator("#dead-letter-body tr");
        for (var attempt = 0; attempt < 100 && await letter.CountAsync() == 0; attempt++)
        {
            await row.Locator("button.show").ClickAsync();
            await Task.Delay(100);
        }

        Assert.Contains("HTTP 400", await letter.First.TextContentAsync(), StringComparison.Ordinal);
        await AdminPageHost.AssertEveryControlUsableAsync(page);
        await AdminPageHost.ScreenshotAsync(page, "60-events-dead-letter");

        refuse = false;
        await letter.First.Locator("button.redeliver").ClickAsync();
        await receiver.WaitForAsync(r => r.Delivered.Count >= 1, "the redelivered event");
        var delivered = Assert.Single(receiver.Delivered);
        Assert.True(delivered.SignatureValid);
        Assert.Equal(name, delivered.FileName);

        await row.Locator("button.toggle").ClickAsync();
        await page.Locator($"#subscriptions-body tr[data-enabled=false]", new() { HasText = receiver.Url.ToString() }).WaitForAsync();
        using var list = await host.Admin.AdminAsync(HttpMethod.Get, "/admin/api/subscriptions");
        var subscription = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("subscriptions").EnumerateArray()
            .Single(s => s.GetProperty("url").GetString() == receiver.Url.ToString());
        Assert.False(subscription.GetProperty("enabled").GetBoolean());
        await row.Locator("button.delete").ClickAsync();
        await page.Locator("#subscriptions-body tr", new() { HasText = receiver.Url.ToString() }).WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }

    [Fact]
    public async Task The_subscribe_form_offers_every_event_type_sends_the_ones_chosen_and_refuses_none()
    {
        var page = await host.SignedInAsync();
        await page.ClickAsync("#tabs button[data-tab=events]");
        await page.Locator("#events-tab").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        var offered = await page.EvalOnSelectorAllAsync<string[]>("#subscription-form input[name=type]", "boxes => boxes.map(b => b.value)");
        Assert.Equal(["ccfs.file.stored", "ccfs.file.deleted", "ccfs.file.expired", "ccfs.quota.warning"], offered);

        var url = $"http://127.0.0.1:9/types-{Guid.NewGuid():N}";
        await page.FillAsync("#subscription-url", url);
        foreach (var type in offered)
        {
            await page.SetCheckedAsync($"#subscription-form input[value='{type}']", false);
        }

        await page.ClickAsync("#subscription-create");
        await page.Locator("#events-error").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.Contains("at least one event type", await page.TextContentAsync("#events-error-text"), StringComparison.Ordinal);
        Assert.Null(await SubscriptionAsync(url));

        await page.SetCheckedAsync("#subscription-form input[value='ccfs.file.deleted']", true);
        await page.SetCheckedAsync("#subscription-form input[value='ccfs.file.expired']", true);
        await page.ClickAsync("#subscription-create");
        await page.Locator("#subscription-secret").WaitForAsync();
        var made = (await SubscriptionAsync(url))!.Value;
        Assert.Equal(["ccfs.file.deleted", "ccfs.file.expired"], made.GetProperty("types").EnumerateArray().Select(t => t.GetString()));

        using var delete = await host.Admin.SendAsync(HttpMethod.Delete, $"/admin/api/subscriptions/{made.GetProperty("id").GetString()}");
        Assert.True(delete.IsSuccessStatusCode);
    }

    private async Task<JsonElement?> SubscriptionAsync(string url)
    {
        using var list = await host.Admin.AdminAsync(HttpMethod.Get, "/admin/api/subscriptions");
        return JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("subscriptions").EnumerateArray()
            .Where(s => s.GetProperty("url").GetString() == url).Select(s => (JsonElement?)s.Clone()).SingleOrDefault();
    }
}
