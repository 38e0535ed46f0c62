using Ccfs.Protocol.Webhooks;
using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;
using Ccfs.Server.Events;

namespace Ccfs.Server.Tests.Functional.Events;

/// <summary>
/// One pass of the dispatcher reads the due cursors page by page (256 a page) and claims them as it goes; the cursors
/// it claims leave the due list at once. Each pass must still see every due cursor: one that a page boundary skipped
/// would wait for the next pass, and under a steady stream of changes could wait for good.
/// </summary>
public sealed class DispatcherPassTests
{
    private const int SubscriptionCount = 130;

    [Fact]
    public async Task One_pass_claims_every_due_cursor_though_claims_it_made_on_a_page_change_the_list_of_the_next()
    {
        using var factory = new CcfsFactory();
        var services = factory.Services;
        var store = services.GetRequiredService<SubscriptionStore>();
        var masterKey = services.GetRequiredService<MasterKey>();
        var now = factory.Time.GetUtcNow();
        // Made in the catalog, not by the admin API: the server's own dispatcher made its only full pass at its start,
        // when there was no subscription, and without one more (the server's clock never moves here) it leaves every
        // cursor alone. Each subscription takes only quota warnings, so its deliveries send nothing and keep their claim.
        for (var i = 0; i < SubscriptionCount; i++)
        {
            var id = $"sub_{i:D4}";
            await store.CreateAsync(new StoredSubscription(id, "http://127.0.0.1:9/hook", null, [EventTypes.QuotaWarning], null, true, null,
                SubscriptionSecrets.Seal(masterKey, id, WebhookSignature.NewSecret()), now, now), CancellationToken.None);
        }

        // Two VDNs' first events: 260 cursors, more than a page, all due at once.
        var client = factory.Signed();
        await client.StoreAsync(Samples.Sine, CcfsFactory.Vdn);
        await client.StoreAsync(Samples.Sine, 55);

        using var stop = new CancellationTokenSource();
        var dispatcher = ActivatorUtilities.CreateInstance<EventDispatcher>(services);
        await dispatcher.PassAsync(full: true, stop.Token);

        // Claimed by that one pass; or already through its event, which a delivery it started skipped.
        var deliveries = services.GetRequiredService<DeliveryStore>();
        var instance = services.GetRequiredService<NodeIdentity>().Instance;
        var left = new List<string>();
        for (var i = 0; i < SubscriptionCount; i++)
        {
            var streams = await deliveries.StreamsAsync($"sub_{i:D4}", CancellationToken.None);
            Assert.Equal(2, streams.Count);
            left.AddRange(streams.Where(s => s.ClaimedBy != instance && s.DeliveredThrough == 0).Select(s => $"{s.SubscriptionId}/{s.VdnId}"));
        }

        await stop.CancelAsync();
        Assert.True(left.Count == 0, $"one pass left {left.Count} due cursors unclaimed: {string.Join(", ", left.Take(10))}");
    }
}
