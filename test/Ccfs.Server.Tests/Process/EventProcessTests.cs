using System.Globalization;
using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Events through SIGKILL on the SQLite catalog: the server is killed twice while uploads, deletes and deliveries (to a
/// receiver failing at random) are under way, and restarted; afterwards every acknowledged change has its signed event
/// delivered, each VDN's sequence has no gap, and nothing names a refused upload.
/// </summary>
[Trait("Catalog", "Sqlite")]
public sealed class EventProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly int[] Vdns = [CcfsFactory.Vdn, 55];
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-events", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Every_acknowledged_change_is_delivered_signed_and_gap_free_through_kills_of_the_server()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var load = new EventLoad(receiver, seed: 21);
        // Two runs killed during uploads (and deliveries, to a receiver failing now and then), one killed while deliveries of
        // the backlog are under way, then one that must deliver everything.
        for (var run = 0; run < 4; run++)
        {
            await using var server = Start(out var http);
            using (http)
            {
                await server.WaitUntilHealthyAsync(http);
                var admin = new SignedClient(http, new(CcfsFactory.AdminAccessKey, CcfsFactory.AdminSecretKey), TimeProvider.System);
                if (run == 0)
                {
                    await load.SubscribeAsync(admin);
                }

                if (run == 3)
                {
                    load.Receiver(failPercent: 0, TimeSpan.Zero);
                    await load.VerifyAsync(vdn => EventLoad.FeedAsync(admin, vdn), Vdns);
                    output.WriteLine($"{load.Acknowledged} uploads and {load.Deleted} deletes acknowledged; the receiver got "
                        + $"{receiver.Received.Count} requests, {receiver.Delivered.Count} of them delivered");
                    return;
                }

                if (run == 2)
                {
                    load.Receiver(failPercent: 0, TimeSpan.FromMilliseconds(20));
                    var before = receiver.Received.Count;
                    await receiver.WaitForAsync(r => r.Received.Count >= before + 20, "deliveries of the backlog");
                    await server.KillAsync();
                    output.WriteLine($"killed with deliveries under way: {receiver.Received.Count - before} requests in this run");
                    continue;
                }

                load.Receiver(failPercent: 3, TimeSpan.FromMilliseconds(2));
                using var stop = new CancellationTokenSource();
                var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);
                var uploads = load.RunAsync(client, Vdns, workers: 4, stop.Token);
                await Task.Delay(TimeSpan.FromSeconds(4));
                await server.KillAsync();
                stop.Cancel();
                await uploads;
                output.WriteLine($"killed during uploads: {load.Acknowledged} acknowledged so far, {receiver.Received.Count} requests received");
            }
        }
    }

    private ServerProcess Start(out HttpClient http)
    {
        var port = ServerProcess.FreePort();
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        return ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Ccfs__Catalog__RecoveryInterval"] = "00:00:01",
        }.WithTestAccounts(admin: true, Vdns[0], Vdns[1]), "--urls", $"http://127.0.0.1:{port}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
