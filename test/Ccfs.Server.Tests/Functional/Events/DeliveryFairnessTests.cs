using System.Net;
using System.Text.Json;

using static Ccfs.Server.Tests.Functional.Events.EventsAdmin;

namespace Ccfs.Server.Tests.Functional.Events;

[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>
/// docs/events.md promises "one slow receiver delays nothing but itself" and "other subscriptions do not wait for it".
/// One subscription whose receiver hangs, over more VDNs than the dispatcher reads per pass (256), has cursors waiting
/// for one of its slots; they must not keep a healthy subscription's cursor out of the dispatcher's view. Run alone:
/// the hanging receiver blocks a thread per request, which starves the thread pool of tests that run beside it.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class DeliveryFairnessTests : IAsyncLifetime
{
    private const int FirstVdn = 1000;
    private readonly CcfsFactory _factory = new();
    private readonly ManualResetEventSlim _release = new(false);
    private WebhookReceiver _hanging = null!;
    private WebhookReceiver _healthy = null!;

    public async Task InitializeAsync()
    {
        _hanging = await WebhookReceiver.StartAsync();
        _hanging.Answer = (_, _) =>
        {
            _release.Wait(TimeSpan.FromSeconds(60));
            return 204;
        };
        _healthy = await WebhookReceiver.StartAsync();
        _healthy.Time = _factory.Time;
    }

    public async Task DisposeAsync()
    {
        _release.Set();
        _factory.Dispose();
        await _hanging.DisposeAsync();
        await _healthy.DisposeAsync();
        _release.Dispose();
    }

    /// <summary>200 VDNs fit in one read of due cursors; 300 do not.</summary>
    [Theory]
    [InlineData(200)]
    [InlineData(300)]
    public async Task A_hanging_receiver_over_many_VDNs_does_not_hold_up_another_subscription(int count)
    {
        var vdns = Enumerable.Range(FirstVdn, count).ToArray();
        using var created = await _factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/accounts", new { accessKey = "many-vdns", vdnIds = vdns });
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        var client = _factory.Signed("many-vdns", JsonDocument.Parse(text).RootElement.GetProperty("secretKey").GetString()!);

        await _factory.SubscribeAsync(new { url = _hanging.Url.ToString() }, null);
        foreach (var vdn in vdns)
        {
            await client.StoreAsync(Samples.Sine, vdn);
        }

        await _factory.SubscribeAsync(new { url = _healthy.Url.ToString(), vdnIds = new[] { FirstVdn } }, _healthy);
        await client.StoreAsync(Samples.Sine, FirstVdn);

        // Well under the hanging receiver's 15 s timeout: the healthy receiver should not wait for it at all.
        var deadline = DateTime.UtcNow.AddSeconds(8);
        while (_healthy.Delivered.Count == 0 && DateTime.UtcNow < deadline)
        {
            _factory.Time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(100);
        }

        Assert.True(_healthy.Delivered.Count == 1, "the healthy subscription received its event while another subscription's receiver hung");
    }

    /// <summary>
    /// A delivery that caught up lingers for more events while holding one of its subscription's slots; with cursors of
    /// the subscription waiting for a slot, it lets go at once. The server's clock is never moved here, so a delivery
    /// that lingered would hold its slot for good, and only the first few VDNs would be delivered.
    /// </summary>
    [Fact]
    public async Task A_delivery_that_caught_up_gives_its_slot_to_the_subscriptions_other_waiting_VDNs()
    {
        var vdns = Enumerable.Range(FirstVdn, 60).ToArray();
        using var created = await _factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/accounts", new { accessKey = "many-vdns", vdnIds = vdns });
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        var client = _factory.Signed("many-vdns", JsonDocument.Parse(text).RootElement.GetProperty("secretKey").GetString()!);

        await _factory.SubscribeAsync(new { url = _healthy.Url.ToString(), vdnIds = vdns }, _healthy);
        foreach (var vdn in vdns)
        {
            await client.StoreAsync(Samples.Sine, vdn);
        }

        await _healthy.WaitForAsync(r => r.Delivered.Count >= vdns.Length, $"one event of each of {vdns.Length} VDNs");
        Assert.Equal(vdns.Select(v => $"/ccfs/vdns/{v}").Order(StringComparer.Ordinal),
            _healthy.Delivered.Select(r => r.Json.GetProperty("source").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(_healthy.Delivered, r => Assert.Equal(1, r.Sequence));
    }
}
