using System.Net;
using System.Text.Json;
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

    private async Task<JsonElement> PatchAsync(string id, object change)
    {
        using var response = await Factory.Admin().AdminAsync(HttpMethod.Patch, $"{Subscriptions}/{id}", change);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }
}
