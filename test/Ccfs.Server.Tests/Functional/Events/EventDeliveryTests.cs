using System.Net;
using System.Text.Json;
using Ccfs.Server.Catalog;

using static Ccfs.Server.Tests.Functional.Events.EventsAdmin;

namespace Ccfs.Server.Tests.Functional.Events;

/// <summary>
/// Each committed upload and delete reaches a subscribed receiver as a signed CloudEvent, in its VDN's order; what is
/// refused stores nothing and sends nothing; failures are retried on the documented schedule, refusals go to the dead
/// letter and come back by redelivery, and 410 disables the subscription.
/// </summary>
public sealed class EventDeliveryTests : ReceiverTests
{
    [Fact]
    public async Task An_upload_and_its_delete_arrive_signed_as_CloudEvents_in_sequence()
    {
        var id = await SubscribeAsync(new { url = Receiver.Url.ToString(), description = "CMS" });
        var client = Factory.Signed();

        var name = await client.StoreAsync(Samples.Sine);
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(name), "0", "success");

        await Receiver.WaitForAsync(r => r.Delivered.Count >= 2, "two events");
        var (stored, deleted) = (Receiver.Delivered[0], Receiver.Delivered[1]);
        Assert.All(Receiver.Delivered, d => Assert.True(d.SignatureValid, "the signature verifies"));
        Assert.All(Receiver.Delivered, d => Assert.StartsWith("application/cloudevents+json", d.ContentType, StringComparison.Ordinal));
        var json = stored.Json;
        Assert.Equal("1.0", json.GetProperty("specversion").GetString());
        Assert.Equal("ccfs.file.stored", json.GetProperty("type").GetString());
        Assert.Equal("/ccfs/vdns/53", json.GetProperty("source").GetString());
        Assert.Equal(name, json.GetProperty("subject").GetString());
        Assert.Equal(stored.Id, json.GetProperty("id").GetString());
        Assert.Equal("1", json.GetProperty("sequence").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(name, data.GetProperty("fileName").GetString());
        Assert.Equal(53, data.GetProperty("vdnId").GetInt32());
        Assert.Equal(Samples.Sine.Length, data.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Samples.Sine)), data.GetProperty("sha256").GetString());
        Assert.Equal(["0"], data.GetProperty("locationId").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(CcfsFactory.AccessKey, data.GetProperty("accessKey").GetString());
        Assert.True(data.GetProperty("durationMs").GetInt64() > 0);
        Assert.Equal("ccfs.file.deleted", deleted.Type);
        Assert.Equal(2, deleted.Sequence);
        Assert.Empty(deleted.Json.GetProperty("data").GetProperty("remainingLocationId").EnumerateArray());
        Assert.NotEqual(stored.Id, deleted.Id);

        // The attempts are listed for the subscription, newest first. They are recorded once per batch, after the
        // receiver's answers, so the listing may lag the receiver by a moment.
        string[] outcomes = [];
        await WaitUntilAsync(async () =>
        {
            var deliveries = await GetJsonAsync($"{Subscriptions}/{id}/deliveries");
            outcomes = [.. deliveries.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("outcome").GetString()!)];
            return outcomes.Length >= 2;
        }, "two attempts listed");
        Assert.Equal(["delivered", "delivered"], outcomes);
    }

    [Fact]
    public async Task A_stored_prompts_event_carries_its_quality_findings_and_its_delete_none()
    {
        await SubscribeAsync(new { url = Receiver.Url.ToString() });
        var client = Factory.Signed();

        using var answer = await client.UploadAsync(Samples.Read("lint", "prompt-quiet.wav"));
        await CcfsAnswer.AssertTripleAsync(answer, "0", "success");
        var line = Assert.Single(answer.Headers.GetValues(Ccfs.Protocol.Wire.PromptCheckLine.HeaderName));
        var name = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("resultData").GetProperty("fileName").GetString()!;
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(name), "0", "success");

        await Receiver.WaitForAsync(r => r.Delivered.Count >= 2, "two events");
        var check = Receiver.Delivered[0].Json.GetProperty("data").GetProperty("promptCheck");
        Assert.Equal(line, check.GetProperty("line").GetString());
        Assert.Equal("quiet", check.GetProperty("verdict").GetString());
        Assert.Equal(["quiet"], check.GetProperty("failed").EnumerateArray().Select(f => f.GetString()));
        Assert.InRange(check.GetProperty("levelDbov").GetDouble(), -40.5, -39.5);
        Assert.False(Receiver.Delivered[1].Json.GetProperty("data").TryGetProperty("promptCheck", out _), "a delete carries no findings");
    }

    [Fact]
    public async Task Refused_uploads_and_deletes_of_nothing_write_no_event()
    {
        await SubscribeAsync(new { url = Receiver.Url.ToString() });
        var client = Factory.Signed();

        await Factory.AssertRefusedAsync(c => c.UploadAsync(Samples.Read("invalid", "pcm16-8k.wav")), "0300004",
            "The format of data is incorrect.");
        using var unsigned = await client.UploadAsync(Samples.Sine, options: new SignOptions { Credential = new(CcfsFactory.AccessKey, "not-the-secret-key") });
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        using var missing = await client.DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/nothere1_1700000000000.wav");
        await CcfsAnswer.AssertTripleAsync(missing, "0300011", "The file does not exist.");
        var name = await client.StoreAsync(Samples.Sine);

        await Receiver.WaitForAsync(r => r.Delivered.Count >= 1, "the one stored upload's event");
        Assert.Equal(1, Factory.CatalogCount("events"));
        Assert.Equal(name, Assert.Single(Receiver.Delivered).FileName);
        Assert.Equal(1, Receiver.Delivered[0].Sequence);
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_on_the_schedule_and_gets_every_event_in_order()
    {
        await SubscribeAsync(new { url = Receiver.Url.ToString() });
        var up = false;
        Receiver.Answer = (_, _) => up ? 204 : 503;
        var client = Factory.Signed();
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            names.Add(await client.StoreAsync(Samples.Sine, i == 1 ? 55 : CcfsFactory.Vdn));
        }

        await Receiver.WaitForAsync(r => r.Received.Count >= 2, "the first attempt of each VDN");
        // The receiver is down: each VDN's first event is retried, never before its delay (5 s, then 10 s, each less a fifth
        // at most), and the later one waits. The clock moves a second at a time until two retries came, however busy the
        // machine (a fixed pause per step once left too little time for them).
        await Receiver.WaitForAsync(r => r.Received.Count(x => x.FileName == names[0]) >= 3, "two retries of the first event",
            () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
        var tried = Receiver.Received.Where(r => r.FileName == names[0])
            .Select(r => long.Parse(r.Timestamp!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(tried[1] - tried[0] >= 4 - 1, $"the first retry came {tried[1] - tried[0]} s after the first attempt");
        Assert.True(tried[2] - tried[1] >= 8 - 1, $"the second retry came {tried[2] - tried[1]} s after the first");

        Assert.DoesNotContain(Receiver.Received, r => r.FileName == names[2]);
        up = true;
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 3, "every event once the receiver is back",
            () => Factory.Time.Advance(TimeSpan.FromSeconds(10)));

        Assert.Equal([names[0], names[2]], Receiver.Delivered.Where(d => d.VdnId == 53).Select(d => d.FileName));
        Assert.Equal([1L, 2L], Receiver.Delivered.Where(d => d.VdnId == 53).Select(d => d.Sequence));
        Assert.Equal([1L], Receiver.Delivered.Where(d => d.VdnId == 55).Select(d => d.Sequence));
        var retried = Receiver.Received.Where(r => r.FileName == names[0]).ToList();
        Assert.True(retried.Count >= 3, $"the first event was tried {retried.Count} times");
        Assert.Single(retried.Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task A_refused_event_goes_to_the_dead_letter_and_comes_back_by_redelivery()
    {
        var id = await SubscribeAsync(new { url = Receiver.Url.ToString() });
        var refuse = true;
        Receiver.Answer = (_, _) => refuse ? 400 : 200;
        var client = Factory.Signed();
        var first = await client.StoreAsync(Samples.Sine);
        await Receiver.WaitForAsync(r => r.Received.Count >= 1, "the first attempt");
        refuse = false;
        var second = await client.StoreAsync(Samples.Sine);
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 1, "the next event, past the refused one");

        var dead = (await GetJsonAsync($"{Subscriptions}/{id}/dead-letter")).GetProperty("events").EnumerateArray().ToList();
        var letter = Assert.Single(dead);
        Assert.Equal(1, letter.GetProperty("sequence").GetInt64());
        Assert.Equal(400, letter.GetProperty("statusCode").GetInt32());
        Assert.Equal(second, Receiver.Delivered[0].FileName);
        Assert.Single(Receiver.Received, r => r.FileName == first);

        var eventId = letter.GetProperty("eventId").GetString()!;
        using var redeliver = await Factory.Admin().AdminAsync(HttpMethod.Post, $"{Subscriptions}/{id}/redeliver", new { eventIds = new[] { eventId, "no-such-event" } });
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var answer = JsonDocument.Parse(await redeliver.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, answer.GetProperty("queued").GetInt32());
        Assert.Equal(["no-such-event"], answer.GetProperty("unknown").EnumerateArray().Select(u => u.GetString()));
        await Receiver.WaitForAsync(r => r.Delivered.Any(d => d.FileName == first), "the redelivered event", () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal(eventId, Receiver.Delivered.Single(d => d.FileName == first).Id);
        await WaitUntilAsync(async () => (await GetJsonAsync($"{Subscriptions}/{id}/dead-letter")).GetProperty("events").GetArrayLength() == 0,
            "the dead letter to be empty");

        // From a sequence number on, the VDN's events come again, in order.
        using var rewind = await Factory.Admin().AdminAsync(HttpMethod.Post, $"{Subscriptions}/{id}/redeliver", new { from = 1, vdnId = 53 });
        Assert.Equal(HttpStatusCode.Accepted, rewind.StatusCode);
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 4, "both events again");
        Assert.Equal([1L, 2L], Receiver.Delivered.Skip(2).Select(d => d.Sequence));
    }

    [Fact]
    public async Task Events_dead_lettered_and_then_delivered_again_from_a_sequence_on_leave_the_dead_letter()
    {
        var id = await SubscribeAsync(new { url = Receiver.Url.ToString() });
        var refuse = true;
        Receiver.Answer = (_, _) => refuse ? 400 : 204;
        var client = Factory.Signed();
        for (var i = 0; i < 3; i++)
        {
            await client.StoreAsync(Samples.Sine);
        }

        await WaitUntilAsync(async () => (await GetJsonAsync($"{Subscriptions}/{id}/dead-letter")).GetProperty("events").GetArrayLength() == 3,
            "three dead letters");
        refuse = false;

        using var rewind = await Factory.Admin().AdminAsync(HttpMethod.Post, $"{Subscriptions}/{id}/redeliver", new { from = 2, vdnId = 53 });
        Assert.Equal(HttpStatusCode.Accepted, rewind.StatusCode);
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 2, "events 2 and 3 again");

        Assert.Equal([2L, 3L], Receiver.Delivered.Select(d => d.Sequence));
        await WaitUntilAsync(async () => (await GetJsonAsync($"{Subscriptions}/{id}/dead-letter")).GetProperty("events").GetArrayLength() == 1,
            "only event 1 left in the dead letter");
        var left = (await GetJsonAsync($"{Subscriptions}/{id}/dead-letter")).GetProperty("events")[0];
        Assert.Equal(1, left.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task A_410_disables_the_subscription_and_a_redirect_is_not_followed()
    {
        await using var target = await WebhookReceiver.StartAsync();
        Receiver.Answer = (_, response) =>
        {
            response.Headers.Location = target.Url.ToString();
            return 307;
        };
        var redirected = await SubscribeAsync(new { url = Receiver.Url.ToString() });
        var client = Factory.Signed();
        await client.StoreAsync(Samples.Sine);
        await WaitUntilAsync(async () => (await GetJsonAsync($"{Subscriptions}/{redirected}/dead-letter")).GetProperty("events").GetArrayLength() == 1,
            "the redirected event in the dead letter");
        Assert.Empty(target.Received);
        var reason = (await GetJsonAsync($"{Subscriptions}/{redirected}/dead-letter")).GetProperty("events")[0].GetProperty("reason").GetString();
        Assert.Contains("redirects are not followed", reason, StringComparison.Ordinal);

        target.Answer = (_, _) => 410;
        var gone = await SubscribeAsync(new { url = target.Url.ToString() }, target);
        await client.StoreAsync(Samples.Sine);
        await WaitUntilAsync(async () => !(await GetJsonAsync($"{Subscriptions}/{gone}")).GetProperty("enabled").GetBoolean(), "the subscription disabled");
        var view = await GetJsonAsync($"{Subscriptions}/{gone}");
        Assert.Contains("410", view.GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        await client.StoreAsync(Samples.Sine);
        await Task.Delay(300);
        Assert.Single(target.Received);
    }

    [Fact]
    public async Task The_feed_lists_a_VDNs_events_in_sequence_order_page_by_page()
    {
        var client = Factory.Signed();
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            names.Add(await client.StoreAsync(Samples.Sine));
        }

        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(names[0]), "0", "success");
        var first = await GetJsonAsync("/admin/api/events?vdnId=53&limit=3");
        var next = first.GetProperty("next").GetInt64();
        var rest = await GetJsonAsync($"/admin/api/events?vdnId=53&after={next}");
        var events = first.GetProperty("events").EnumerateArray().Concat(rest.GetProperty("events").EnumerateArray()).ToList();

        Assert.Equal(3, next);
        Assert.Equal(["1", "2", "3", "4"], events.Select(e => e.GetProperty("sequence").GetString()));
        Assert.Equal([.. names, names[0]], events.Select(e => e.GetProperty("subject").GetString()));
        Assert.Equal("ccfs.file.deleted", events[3].GetProperty("type").GetString());
        Assert.Equal(4, rest.GetProperty("next").GetInt64());
        Assert.Empty((await GetJsonAsync("/admin/api/events?vdnId=53&after=4")).GetProperty("events").EnumerateArray());
        Assert.Empty((await GetJsonAsync("/admin/api/events?vdnId=55")).GetProperty("events").EnumerateArray());

        using var noVdn = await Factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/events");
        Assert.Equal(HttpStatusCode.BadRequest, noVdn.StatusCode);
        Assert.Contains("vdnId is required", await noVdn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subscription_gets_only_its_VDNs_and_types_and_starts_after_its_creation()
    {
        var client = Factory.Signed();
        await client.StoreAsync(Samples.Sine);
        await SubscribeAsync(new { url = Receiver.Url.ToString(), vdnIds = new[] { 55 }, types = new[] { "ccfs.file.deleted" } });

        var in53 = await client.StoreAsync(Samples.Sine);
        var in55 = await client.StoreAsync(Samples.Sine, 55);
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(in53), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(in55), "0", "success");

        await Receiver.WaitForAsync(r => r.Delivered.Count >= 1, "the delete in VDN 55");
        await Task.Delay(300);
        var only = Assert.Single(Receiver.Delivered);
        Assert.Equal(("ccfs.file.deleted", 55, 2L), (only.Type, only.VdnId, only.Sequence));
    }

    [Fact]
    public async Task Subscriptions_are_created_listed_rotated_disabled_and_deleted_and_bad_ones_refused()
    {
        var admin = Factory.Admin();
        using var created = await admin.AdminAsync(HttpMethod.Post, Subscriptions, new { url = Receiver.Url.ToString(), vdnIds = new[] { 53 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = body.GetProperty("subscription").GetProperty("id").GetString()!;
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        var list = await admin.SendAsync(HttpMethod.Get, Subscriptions);
        var listText = await list.Content.ReadAsStringAsync();
        Assert.Contains(id, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(Factory.CatalogContents(), c => System.Text.Encoding.UTF8.GetString(c).Contains(secret[6..], StringComparison.Ordinal));

        using var rotated = await admin.AdminAsync(HttpMethod.Patch, $"{Subscriptions}/{id}", new { rotateSecret = true });
        var newSecret = JsonDocument.Parse(await rotated.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        Receiver.Secret = newSecret;
        await Factory.Signed().StoreAsync(Samples.Sine);
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 1, "an event signed with the new secret");
        Assert.True(Receiver.Delivered[0].SignatureValid);

        using var disabled = await admin.AdminAsync(HttpMethod.Patch, $"{Subscriptions}/{id}", new { enabled = false });
        Assert.False(JsonDocument.Parse(await disabled.Content.ReadAsStringAsync()).RootElement.GetProperty("enabled").GetBoolean());
        await Factory.Signed().StoreAsync(Samples.Sine);
        await Task.Delay(300);
        Assert.Single(Receiver.Received);
        using var enabled = await admin.AdminAsync(HttpMethod.Patch, $"{Subscriptions}/{id}", new { enabled = true });
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 2, "the event kept while disabled");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"{Subscriptions}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(HttpMethod.Get, $"{Subscriptions}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(HttpMethod.Delete, $"{Subscriptions}/{id}")).StatusCode);

        foreach (var (bad, problem) in new (object, string)[]
        {
            (new { }, "url must be"),
            (new { url = "ftp://example.com/x" }, "url must be"),
            (new { url = "https://user:pw@example.com/x" }, "url must be"),
            (new { url = "https://example.com/x", types = new[] { "ccfs.file.renamed" } }, "types must list"),
            (new { url = "https://example.com/x", vdnIds = Array.Empty<int>() }, "vdnIds must list"),
            (new { url = "https://example.com/x", secret = "mine" }, "unknown property"),
        })
        {
            using var refused = await admin.AdminAsync(HttpMethod.Post, Subscriptions, bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(problem, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, Factory.CatalogCount("subscriptions"));
        using var stranger = await Factory.Signed().AdminAsync(HttpMethod.Post, Subscriptions, new { url = Receiver.Url.ToString() });
        Assert.Equal(HttpStatusCode.Unauthorized, stranger.StatusCode);
    }

    private Task<string> SubscribeAsync(object request, WebhookReceiver? receiver = null) => Factory.SubscribeAsync(request, receiver ?? Receiver);

    private Task<JsonElement> GetJsonAsync(string path) => Factory.GetJsonAsync(path);
}
