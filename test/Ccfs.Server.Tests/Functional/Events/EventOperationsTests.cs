using System.Net;
using System.Text.Json;
using Ccfs.Server.Catalog;

namespace Ccfs.Server.Tests.Functional.Events;

/// <summary>What an operator relies on around events: the metrics, the retention, and the refusal of private destinations.</summary>
public sealed class EventOperationsTests
{
    [Fact]
    public async Task Metrics_count_events_written_and_delivered_and_show_each_subscriptions_backlog()
    {
        using var factory = new CcfsFactory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var id = await factory.SubscribeAsync(new { url = receiver.Url.ToString() }, receiver);

        await factory.Signed().StoreAsync(Samples.Sine);
        await receiver.WaitForAsync(r => r.Delivered.Count >= 1, "the event");

        var metrics = "";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // The backlog gauge is set by the dispatcher's next full pass, which may come after the delivery is counted.
        var backlog = $"ccfs_events_oldest_undelivered_age_seconds{{subscription=\"{id}\"}} 0";
        while (!(metrics.Contains("ccfs_event_deliveries_total{outcome=\"delivered\"} 1", StringComparison.Ordinal)
            && metrics.Contains(backlog, StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            factory.Time.Advance(TimeSpan.FromSeconds(1));
            metrics = await factory.CreateClient().GetStringAsync("/metrics");
            await Task.Delay(50);
        }

        Assert.Contains("ccfs_events_written_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("ccfs_event_deliveries_total{outcome=\"delivered\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("ccfs_event_delivery_lag_seconds_count 1", metrics, StringComparison.Ordinal);
        Assert.Contains(backlog, metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_older_than_the_retention_are_purged_from_the_feed()
    {
        using var factory = new CcfsFactory();
        await factory.Signed().StoreAsync(Samples.Sine);
        Assert.Equal(1, factory.CatalogCount("events"));

        factory.Time.Advance(TimeSpan.FromDays(8));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (factory.CatalogCount("events") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the event outlived the retention");
            await Task.Delay(50);
        }

        // The numbers go on where they were: a number is never given twice.
        await factory.Signed().StoreAsync(Samples.Sine);
        using var feed = await factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/events?vdnId=53");
        var events = JsonDocument.Parse(await feed.Content.ReadAsStringAsync()).RootElement.GetProperty("events");
        Assert.Equal("2", Assert.Single(events.EnumerateArray()).GetProperty("sequence").GetString());
    }

    [Fact]
    public async Task A_purge_larger_than_a_chunk_removes_every_old_event_delivery_and_dead_letter_and_keeps_the_new()
    {
        // The server's own hourly purge (30 days) leaves these rows alone; the purge below (7 days) takes the old ones.
        using var factory = CcfsFactory.With(new() { ["Ccfs:Events:Retention"] = "30.00:00:00" });
        var database = factory.Services.GetRequiredService<CatalogDatabase>();
        var now = factory.Time.GetUtcNow();
        var (old, recent) = ((now - TimeSpan.FromDays(9)).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds());
        await database.Writer.WriteAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("""
                INSERT INTO subscriptions (id, url, all_vdns, enabled, sealed_secret, created_at_ms, updated_at_ms)
                VALUES ('s1', 'http://receiver.example/hook', 0, 0, @secret, 0, 0);
                """, ct, ("secret", new byte[] { 1 }));
            foreach (var (prefix, count, at) in new[] { ("old", 12_001, old), ("new", 3, recent) })
            {
                // Chunks are 5,000 rows: the old rows take three of each table, the dead letters (a two-column key) two.
                await tx.ExecuteAsync($"""
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
                    INSERT INTO events (id, vdn_id, sequence, type, at_ms, file_name, size_bytes, sha256, duration_ms, access_key,
                        location_ids, remaining_location_ids)
                    SELECT '{prefix}-' || i, 99, i + @offset, 'ccfs.file.stored', @at, 'Y:/f.wav', 0, '', 0, 'ak', '', '' FROM n;
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
                    INSERT INTO event_deliveries (subscription_id, event_id, vdn_id, sequence, attempt, outcome, at_ms, duration_ms)
                    SELECT 's1', '{prefix}-' || i, 99, i, 1, 'delivered', @at, 1 FROM n;
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @letters)
                    INSERT INTO event_dead_letters (subscription_id, event_id, vdn_id, sequence, reason, at_ms)
                    SELECT 's1', '{prefix}-' || i, 99, i, 'gone', @at FROM n;
                    """, ct, ("count", count), ("letters", Math.Min(count, 6_001)), ("offset", prefix == "old" ? 0 : 100_000), ("at", at));
            }
        });

        var removed = await factory.Services.GetRequiredService<EventStore>().PurgeAsync(now - TimeSpan.FromDays(7), CancellationToken.None);

        Assert.Equal(12_001, removed);
        Assert.Equal(3, factory.CatalogCount("events"));
        Assert.Equal(3, factory.CatalogCount("event_deliveries"));
        Assert.Equal(3, factory.CatalogCount("event_dead_letters"));
    }

    /// <summary>
    /// The refusal says which of the refused ranges (docs/events.md, Destinations) a literal address is in, by the
    /// table's name for it, and which setting allows it: documentation, shared and IPv4-mapped addresses are neither
    /// private, loopback nor link-local, yet refused all the same.
    /// </summary>
    [Theory]
    [InlineData("http://127.0.0.1:9/hook", "127.0.0.1", "an address in 127.0.0.0/8 (loopback)")]
    [InlineData("http://localhost:9/hook", "localhost", "the loopback name")]
    [InlineData("http://169.254.169.254/latest/meta-data", "169.254.169.254", "an address in 169.254.0.0/16 (link-local)")]
    [InlineData("https://[::1]/hook", "[::1]", "an address in ::/96 (unspecified, loopback and IPv4-compatible)")]
    [InlineData("http://10.0.0.8/hook", "10.0.0.8", "an address in 10.0.0.0/8 (private)")]
    [InlineData("http://198.51.100.7/hook", "198.51.100.7", "an address in 198.51.100.0/24 (documentation)")]
    [InlineData("http://192.0.2.1/hook", "192.0.2.1", "an address in 192.0.2.0/24 (documentation)")]
    [InlineData("http://100.64.1.1/hook", "100.64.1.1", "an address in 100.64.0.0/10 (shared address space)")]
    [InlineData("http://[::ffff:198.18.0.1]/hook", "[::ffff:198.18.0.1]", "an address in 198.18.0.0/15 (benchmarking)")]
    [InlineData("http://[2001:db8::1]/hook", "[2001:db8::1]", "an address in 2001:db8::/32 (documentation)")]
    public async Task A_private_destination_is_refused_with_its_range_and_the_setting_that_allows_it(string url, string host, string what)
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Events:AllowPrivateDestinations"] = "false" });

        using var response = await factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/subscriptions", new { url });

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var problem = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("problems").EnumerateArray()).GetString();
        Assert.Equal($"url {host} is {what}, not a public address: this server delivers only to public addresses; "
            + "to deliver to this one, set Ccfs:Events:AllowPrivateDestinations to true", problem);
        Assert.Equal(0, factory.CatalogCount("subscriptions"));
    }

    [Theory]
    [InlineData("http://198.51.100.7/hook")]
    [InlineData("http://localhost:9/hook")]
    public async Task A_private_destination_is_accepted_where_private_destinations_are_allowed(string url)
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Events:AllowPrivateDestinations"] = "true" });

        using var response = await factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/subscriptions", new { url });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
