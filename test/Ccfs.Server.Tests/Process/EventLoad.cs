using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// What the event process tests do and check, on any deployment: uploads (and deletes of some of them) from several
/// workers, with uploads that must be refused among them, while a <see cref="WebhookReceiver"/> fails at random; then,
/// with the receiver healthy, that every acknowledged upload and delete has its event delivered at least once with a
/// valid signature, that each VDN's sequence has no gap, that the outbox reports each change once, and that no event
/// names a refused upload.
/// </summary>
public sealed class EventLoad(WebhookReceiver receiver, int seed)
{
    private readonly ConcurrentDictionary<string, string> _stored = new();
    private readonly ConcurrentDictionary<string, bool> _deleted = new();
    private readonly ConcurrentDictionary<string, bool> _refusedShas = new();
    private readonly Random _random = new(seed);

    public int Acknowledged => _stored.Count;

    public int Deleted => _deleted.Count;

    /// <summary>
    /// Makes the receiver answer 503 to about <paramref name="failPercent"/> requests in a hundred, chosen at random from
    /// the seed, and take <paramref name="delay"/> over each answer (so a kill finds deliveries under way).
    /// </summary>
    public void Receiver(int failPercent, TimeSpan delay) => receiver.Answer = (_, _) =>
    {
        int roll;
        lock (_random)
        {
            roll = _random.Next(100);
        }

        Thread.Sleep(delay);
        return roll < failPercent ? 503 : 200;
    };

    /// <summary>Creates the subscription every event goes to, through the admin API of <paramref name="admin"/>.</summary>
    public async Task SubscribeAsync(SignedClient admin)
    {
        using var response = await admin.AdminAsync(HttpMethod.Post, "/admin/api/subscriptions", new { url = receiver.Url.ToString() });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        receiver.Secret = JsonDocument.Parse(text).RootElement.GetProperty("secret").GetString();
    }

    /// <summary>Runs <paramref name="workers"/> upload loops against <paramref name="client"/> until <paramref name="stop"/>.</summary>
    public Task RunAsync(SignedClient client, int[] vdns, int workers, CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, workers)
        .Select(w => Task.Run(async () =>
        {
            var random = new Random(seed * 100 + w);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    if (i % 7 == 3)
                    {
                        // Not a WAV: refused before anything is stored, so no event may ever name it.
                        var junk = new byte[2048 + random.Next(4096)];
                        random.NextBytes(junk);
                        _refusedShas[Convert.ToHexStringLower(SHA256.HashData(junk))] = true;
                        using var refused = await client.UploadAsync(junk, vdns[i % vdns.Length]);
                        continue;
                    }

                    var wav = Samples.ALawOfSize(16 * 1024 + random.Next(16 * 1024));
                    using var response = await client.UploadAsync(wav, vdns[i % vdns.Length]);
                    var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                    if (json.GetProperty("resultCode").GetString() != "0")
                    {
                        continue;
                    }

                    var name = json.GetProperty("resultData").GetProperty("fileName").GetString()!;
                    _stored[name] = Convert.ToHexStringLower(SHA256.HashData(wav));
                    if (i % 4 == 1)
                    {
                        using var delete = await client.DeleteAsync(name);
                        if (JsonDocument.Parse(await delete.Content.ReadAsStringAsync()).RootElement.GetProperty("resultCode").GetString() == "0")
                        {
                            _deleted[name] = true;
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException or KeyNotFoundException)
                {
                    // The server was killed under the request: its outcome is unknown, so it is neither acknowledged nor refused.
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        })));

    /// <summary>Waits (at most 90 s) until every acknowledged change was delivered, then checks the guarantees.</summary>
    public async Task VerifyAsync(Func<int, Task<IReadOnlyList<JsonElement>>> feed, int[] vdns)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (Missing().Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"within 90 s of the last restart {Missing().Count} acknowledged changes were not "
                + $"delivered, e.g. {string.Join(", ", Missing().Take(3))}; the receiver got {receiver.Received.Count} requests");
            await Task.Delay(200);
        }

        var delivered = receiver.Delivered;
        Assert.All(delivered, d => Assert.True(d.SignatureValid, $"delivery {d.Id} has a valid signature"));
        Assert.All(delivered.GroupBy(d => d.Id), g => Assert.Single(g.Select(d => Convert.ToBase64String(d.Body)).Distinct()));
        foreach (var vdn in vdns)
        {
            var events = await feed(vdn);
            var sequences = events.Select(e => long.Parse(e.GetProperty("sequence").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(1, sequences.Count).Select(s => (long)s), sequences);
            var deliveredSequences = delivered.Where(d => d.VdnId == vdn).Select(d => d.Sequence).ToHashSet();
            Assert.True(sequences.All(deliveredSequences.Contains), $"VDN {vdn}: every event in the outbox was delivered");
            var storedNames = events.Where(e => e.GetProperty("type").GetString() == "ccfs.file.stored")
                .Select(e => e.GetProperty("subject").GetString()!).ToList();
            Assert.Equal(storedNames.Count, storedNames.Distinct().Count());
            var deletedNames = events.Where(e => e.GetProperty("type").GetString() == "ccfs.file.deleted")
                .Select(e => e.GetProperty("subject").GetString()!).ToList();
            Assert.Equal(deletedNames.Count, deletedNames.Distinct().Count());
        }

        Assert.DoesNotContain(delivered, d => _refusedShas.ContainsKey(d.Json.GetProperty("data").GetProperty("sha256").GetString()!));
        foreach (var d in delivered.Where(d => d.Type == "ccfs.file.stored" && _stored.ContainsKey(d.FileName)))
        {
            Assert.Equal(_stored[d.FileName], d.Json.GetProperty("data").GetProperty("sha256").GetString());
        }
    }

    private List<string> Missing()
    {
        var delivered = receiver.Delivered.Where(d => d.SignatureValid).Select(d => (d.Type, d.FileName)).ToHashSet();
        return [.. _stored.Keys.Where(n => !delivered.Contains(("ccfs.file.stored", n))).Select(n => "stored " + n)
            .Concat(_deleted.Keys.Where(n => !delivered.Contains(("ccfs.file.deleted", n))).Select(n => "deleted " + n))];
    }

    /// <summary>Every event of a VDN through the admin feed, page by page.</summary>
    public static async Task<IReadOnlyList<JsonElement>> FeedAsync(SignedClient admin, int vdn)
    {
        var all = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            using var response = await admin.SendAsync(HttpMethod.Get, $"/admin/api/events?vdnId={vdn}&after={after}&limit=1000");
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var events = page.GetProperty("events").EnumerateArray().Select(e => e.Clone()).ToList();
            if (events.Count == 0)
            {
                return all;
            }

            all.AddRange(events);
            after = page.GetProperty("next").GetInt64();
        }
    }
}
