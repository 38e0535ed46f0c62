using System.Net;
using System.Text.Json;
using Ccfs.Protocol.Webhooks;
using Ccfs.Server.Events;

using static Ccfs.Server.Tests.Functional.Events.EventsAdmin;

namespace Ccfs.Server.Tests.Functional.Events;

/// <summary>
/// A change to a subscription must take effect for the deliveries that follow it, also within a
/// batch of events already read (docs/events.md: a rotated secret "replaces it at once; deliveries after the rotation
/// are signed with the new one"; a disabled subscription's events wait); and a redelivery by id must not send a
/// subscription an event it does not cover.
/// </summary>
public sealed class SubscriptionChangeTests : ReceiverTests
{
    [Fact]
    public async Task Deliveries_after_a_secret_rotation_are_signed_with_the_new_secret_even_within_a_batch()
    {
        using var entered = new ManualResetEventSlim(false);
        using var gate = new ManualResetEventSlim(false);
        var id = await HoldFirstOfThreeAsync(entered, gate);

        // Enabled again, the three events are read as one batch; the first is held by the receiver while the secret is rotated.
        await PatchAsync(id, new { enabled = true });
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)), "the first event reached the receiver");
        var rotated = await PatchAsync(id, new { rotateSecret = true });
        Receiver.Secret = rotated.GetProperty("secret").GetString();
        gate.Set();

        await Receiver.WaitForAsync(r => r.Received.Count >= 3, "three events", () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.All(Receiver.Received.Skip(1), r => Assert.True(r.SignatureValid, $"event {r.Sequence}, sent after the rotation, is signed with the new secret"));
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("delete")]
    public async Task A_subscription_disabled_or_deleted_within_a_batch_gets_no_more_of_it(string change)
    {
        using var entered = new ManualResetEventSlim(false);
        using var gate = new ManualResetEventSlim(false);
        var id = await HoldFirstOfThreeAsync(entered, gate);

        // Enabled again, the three events are read as one batch; the first is held by the receiver while the change is made.
        await PatchAsync(id, new { enabled = true });
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)), "the first event reached the receiver");
        if (change == "disable")
        {
            await PatchAsync(id, new { enabled = false });
        }
        else
        {
            using var deleted = await Factory.Admin().AdminAsync(HttpMethod.Delete, $"{Subscriptions}/{id}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        gate.Set();
        for (var i = 0; i < 20; i++)
        {
            Factory.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        Assert.True(Receiver.Received.Count == 1,
            $"after the subscription was {change}d, it received events {string.Join(", ", Receiver.Received.Select(r => r.Sequence))}");
    }

    /// <summary>
    /// The delivery has checked its subscription and is connecting to the receiver (held there by the sender's hook, as
    /// a slow connect would be) when the admin call changes it and answers. The request it then sends must be under
    /// the new settings: signed with the new secret, or not sent at all to a subscription disabled or deleted.
    /// </summary>
    [Theory]
    [InlineData("rotate")]
    [InlineData("disable")]
    [InlineData("delete")]
    public async Task A_change_answered_while_a_delivery_connects_holds_for_the_request_it_then_sends(string change)
    {
        var connecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Factory.Services.GetRequiredService<WebhookSender>().Connecting = async ct =>
        {
            if (connecting.TrySetResult())
            {
                await proceed.Task.WaitAsync(ct);
            }
        };
        var id = await Factory.SubscribeAsync(new { url = Receiver.Url.ToString() }, Receiver);
        await Factory.Signed().StoreAsync(Samples.Sine);
        await connecting.Task.WaitAsync(TimeSpan.FromSeconds(30));

        switch (change)
        {
            case "rotate":
                Receiver.Secret = (await PatchAsync(id, new { rotateSecret = true })).GetProperty("secret").GetString();
                break;
            case "disable":
                await PatchAsync(id, new { enabled = false });
                break;
            default:
                using (var deleted = await Factory.Admin().AdminAsync(HttpMethod.Delete, $"{Subscriptions}/{id}"))
                {
                    Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
                }

                break;
        }

        proceed.SetResult();
        if (change == "rotate")
        {
            await Receiver.WaitForAsync(r => r.Delivered.Count >= 1, "the event", () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
            Assert.All(Receiver.Received, r => Assert.True(r.SignatureValid, "a request sent after the rotation answered is signed with the new secret"));
            return;
        }

        for (var i = 0; i < 20; i++)
        {
            Factory.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        Assert.True(Receiver.Received.Count == 0, $"after the subscription was {change}d, it received {Receiver.Received.Count} requests");
    }

    /// <summary>
    /// As <see cref="A_change_answered_while_a_delivery_connects_holds_for_the_request_it_then_sends"/>, for a redelivery
    /// by id: the request held at its connect is not sent under the old secret (the receiver gets one request, signed with
    /// the new one), and the redelivery is let go, not lost, so the next pass sends it under the new one.
    /// </summary>
    [Fact]
    public async Task A_secret_rotated_while_a_redelivery_connects_holds_for_it_and_the_redelivery_then_goes_under_the_new_one()
    {
        // Stored before the subscription, the event is not delivered in order: the redelivery opens the first connection.
        var fileName = await Factory.Signed().StoreAsync(Samples.Sine);
        var eventId = (await Factory.GetJsonAsync($"/admin/api/events?vdnId={CcfsFactory.Vdn}&after=0")).GetProperty("events")[0]
            .GetProperty("id").GetString()!;
        var id = await Factory.SubscribeAsync(new { url = Receiver.Url.ToString() }, Receiver);

        var connecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Factory.Services.GetRequiredService<WebhookSender>().Connecting = async ct =>
        {
            if (connecting.TrySetResult())
            {
                await proceed.Task.WaitAsync(ct);
            }
        };
        using (var redeliver = await Factory.Admin().AdminAsync(HttpMethod.Post, $"{Subscriptions}/{id}/redeliver", new { eventIds = new[] { eventId } }))
        {
            Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        }

        // Redeliveries go on the dispatcher's next pass, which the fake clock brings.
        for (var i = 0; i < 300 && !connecting.Task.IsCompleted; i++)
        {
            Factory.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        Assert.True(connecting.Task.IsCompleted, "the redelivery began to connect");
        Receiver.Secret = (await PatchAsync(id, new { rotateSecret = true })).GetProperty("secret").GetString();
        proceed.SetResult();

        await Receiver.WaitForAsync(r => r.Received.Count >= 1, "the redelivery", () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
        var sent = Assert.Single(Receiver.Received);
        Assert.Equal((eventId, fileName), (sent.Id, sent.FileName));
        Assert.True(sent.SignatureValid, "the redelivery sent after the rotation answered is signed with the new secret");
    }

    [Fact]
    public async Task A_redelivery_by_id_does_not_send_an_event_of_a_vdn_the_subscription_does_not_cover()
    {
        var id = await Factory.SubscribeAsync(new { url = Receiver.Url.ToString(), vdnIds = new[] { CcfsFactory.OtherVdn } }, Receiver);
        await Factory.Signed().StoreAsync(Samples.Sine);
        var feed = await Factory.GetJsonAsync($"/admin/api/events?vdnId={CcfsFactory.Vdn}&after=0");
        var eventId = feed.GetProperty("events")[0].GetProperty("id").GetString()!;

        using var response = await Factory.Admin().AdminAsync(HttpMethod.Post, $"{Subscriptions}/{id}/redeliver", new { eventIds = new[] { eventId } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(0, answer.GetProperty("queued").GetInt32());
        Assert.Equal([eventId], answer.GetProperty("notCovered").EnumerateArray().Select(e => e.GetString()!));

        for (var i = 0; i < 30; i++)
        {
            Factory.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        Assert.True(Receiver.Received.Count == 0,
            $"a subscription to VDN {CcfsFactory.OtherVdn} received an event of VDN {CcfsFactory.Vdn}: {(Receiver.Received.Count > 0 ? Receiver.Received[0].Json.GetProperty("source").GetString() : "")}");
    }

    [Fact]
    public async Task A_redelivery_by_id_does_not_send_an_event_of_a_type_the_subscription_does_not_receive()
    {
        var id = await Factory.SubscribeAsync(new { url = Receiver.Url.ToString(), types = new[] { "ccfs.file.deleted" } }, Receiver);
        await Factory.Signed().StoreAsync(Samples.Sine);
        var feed = await Factory.GetJsonAsync($"/admin/api/events?vdnId={CcfsFactory.Vdn}&after=0");
        var eventId = feed.GetProperty("events")[0].GetProperty("id").GetString()!;

        using var response = await Factory.Admin().AdminAsync(HttpMethod.Post, $"{Subscriptions}/{id}/redeliver", new { eventIds = new[] { eventId } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([eventId], answer.GetProperty("notCovered").EnumerateArray().Select(e => e.GetString()!));
        for (var i = 0; i < 10; i++)
        {
            Factory.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }

        Assert.Empty(Receiver.Received);
    }

    /// <summary>
    /// A disabled subscription with three events waiting, whose receiver, once the subscription is enabled, holds the
    /// first (setting <paramref name="entered"/>) until <paramref name="gate"/> is set; the ones after it it answers at once.
    /// </summary>
    private async Task<string> HoldFirstOfThreeAsync(ManualResetEventSlim entered, ManualResetEventSlim gate)
    {
        Receiver.Answer = (r, _) =>
        {
            if (r.Sequence == 1 && !entered.IsSet)
            {
                entered.Set();
                gate.Wait(TimeSpan.FromSeconds(10));
            }

            return 204;
        };
        var id = await Factory.SubscribeAsync(new { url = Receiver.Url.ToString() }, Receiver);
        await PatchAsync(id, new { enabled = false });
        var client = Factory.Signed();
        for (var i = 0; i < 3; i++)
        {
            await client.StoreAsync(Samples.Sine);
        }

        return id;
    }

    [Fact]
    public async Task A_secret_rotated_with_keepPreviousFor_signs_beside_the_new_one_until_then_and_no_longer()
    {
        var id = await Factory.SubscribeAsync(new { url = Receiver.Url.ToString(), vdnIds = new[] { CcfsFactory.Vdn } }, Receiver);
        var rotatedAt = Factory.Time.GetUtcNow();
        var rotated = await PatchAsync(id, new { rotateSecret = true, keepPreviousFor = "01:00:00" });
        var fresh = rotated.GetProperty("secret").GetString()!;
        Assert.Equal((rotatedAt + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds(),
            rotated.GetProperty("subscription").GetProperty("previousSecretUntil").GetDateTimeOffset().ToUnixTimeMilliseconds());

        // The receiver still holds the old secret: within the hour, each delivery verifies under it and under the new one.
        await Factory.Signed().StoreAsync(Samples.Sine);
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 1, "the delivery within the hour", () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
        var within = Receiver.Delivered[0];
        Assert.True(within.SignatureValid, "signed with the old secret too");
        Assert.True(SignedWith(fresh, within), "signed with the new secret");
        Assert.True((await ShowAsync(id)).TryGetProperty("previousSecretUntil", out _), "the overlap is shown while it lasts");

        Factory.Time.Advance(TimeSpan.FromHours(1));
        var shown = await ShowAsync(id);
        Assert.False(shown.TryGetProperty("previousSecretUntil", out _), $"an overlap that ended is still shown: {shown}");
        await Factory.Signed().StoreAsync(Samples.Sine);
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 2, "the delivery after the hour", () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
        var after = Receiver.Delivered[1];
        Assert.False(after.SignatureValid, "the old secret signs no more");
        Assert.True(SignedWith(fresh, after), "signed with the new secret");
        Assert.DoesNotContain(' ', after.Signature!);
    }

    [Fact]
    public async Task A_rotation_without_keepPreviousFor_drops_a_previous_secret_still_signing()
    {
        var id = await Factory.SubscribeAsync(new { url = Receiver.Url.ToString(), vdnIds = new[] { CcfsFactory.Vdn } }, Receiver);
        var first = Receiver.Secret;
        var overlapping = (await PatchAsync(id, new { rotateSecret = true, keepPreviousFor = "1.00:00:00" })).GetProperty("secret").GetString()!;
        // A leak: rotated again at once, the two secrets before stop signing.
        var rotated = await PatchAsync(id, new { rotateSecret = true });
        Assert.False(rotated.GetProperty("subscription").TryGetProperty("previousSecretUntil", out _), rotated.ToString());
        var last = rotated.GetProperty("secret").GetString()!;

        await Factory.Signed().StoreAsync(Samples.Sine);
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 1, "a delivery", () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
        var sent = Receiver.Delivered[0];
        Assert.False(sent.SignatureValid, "the first secret signs no more");
        Assert.False(SignedWith(overlapping, sent), "the secret the leak replaced signs no more");
        Assert.True(SignedWith(last, sent));
        Assert.Equal(first, Receiver.Secret);
    }

    [Theory]
    [InlineData("""{"keepPreviousFor":"01:00:00"}""", "keepPreviousFor goes with rotateSecret: true")]
    [InlineData("""{"rotateSecret":true,"keepPreviousFor":"7.00:00:01"}""", "at most 7 days")]
    [InlineData("""{"rotateSecret":true,"keepPreviousFor":"-01:00:00"}""", "above 0")]
    [InlineData("""{"rotateSecret":true,"keepPreviousFor":"00:00:00"}""", "above 0")]
    [InlineData("""{"rotateSecret":true,"keepPreviousFor":"an hour"}""", "keepPreviousFor")]
    public async Task A_keepPreviousFor_out_of_its_rule_is_refused_and_the_secret_is_kept(string change, string reason)
    {
        var id = await Factory.SubscribeAsync(new { url = Receiver.Url.ToString(), vdnIds = new[] { CcfsFactory.Vdn } }, Receiver);
        using var response = await Factory.Admin().SendAsync(HttpMethod.Patch, $"{Subscriptions}/{id}", System.Text.Encoding.UTF8.GetBytes(change));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"secret\"", text, StringComparison.Ordinal);
        await Factory.Signed().StoreAsync(Samples.Sine);
        await Receiver.WaitForAsync(r => r.Delivered.Count >= 1, "a delivery", () => Factory.Time.Advance(TimeSpan.FromSeconds(1)));
        Assert.True(Receiver.Delivered[0].SignatureValid, "still signed with the secret given at the subscription");
    }

    private bool SignedWith(string secret, ReceivedWebhook received) =>
        WebhookSignature.TryReadKey(secret, out var key) && WebhookSignature.Verify(key, received.Id, received.Timestamp, received.Signature, received.Body,
            Factory.Time.GetUtcNow(), TimeSpan.FromDays(1)) == WebhookVerification.Valid;

    private async Task<JsonElement> ShowAsync(string id)
    {
        using var response = await Factory.Admin().AdminAsync(HttpMethod.Get, $"{Subscriptions}/{id}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<JsonElement> PatchAsync(string id, object change)
    {
        using var response = await Factory.Admin().AdminAsync(HttpMethod.Patch, $"{Subscriptions}/{id}", change);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }
}
