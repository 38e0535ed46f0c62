using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Events on two nodes sharing a PostgreSQL catalog behind haproxy: one node is killed with SIGKILL during uploads and
/// deliveries, later the other while it delivers the backlog; a killed node's claims pass to the other once its lease
/// ran out. Afterwards every acknowledged change has its signed event delivered and the sequence has no gap.
/// </summary>
public sealed class TwoNodeEventProcessTests(TwoNodeCluster cluster, ITestOutputHelper output) : IClassFixture<TwoNodeCluster>
{
    private static readonly int[] Vdns = [CcfsFactory.Vdn];

    [Fact]
    public async Task Every_acknowledged_change_is_delivered_when_a_node_is_killed_during_uploads_and_deliveries()
    {
        await cluster.EnsureRunningAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var load = new EventLoad(receiver, seed: 4);
        var admin = TwoNodeCluster.Admin(cluster.Balancer);
        await load.SubscribeAsync(admin);

        // Uploads through haproxy to both nodes; node A dies under them, and B carries on alone.
        load.Receiver(failPercent: 3, TimeSpan.FromMilliseconds(2));
        using (var stop = new CancellationTokenSource())
        {
            var uploads = load.RunAsync(TwoNodeCluster.Signed(cluster.Balancer), Vdns, workers: 4, stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(4));
            await cluster.A.StopAsync(kill: true);
            await Task.Delay(TimeSpan.FromSeconds(3));
            stop.Cancel();
            await uploads;
        }

        output.WriteLine($"A killed during uploads: {load.Acknowledged} acknowledged, {receiver.Received.Count} requests received");
        await cluster.A.StartAsync();

        // Then B dies while the backlog is being delivered; A takes B's claims once B's lease ran out.
        load.Receiver(failPercent: 0, TimeSpan.FromMilliseconds(20));
        var before = receiver.Received.Count;
        await receiver.WaitForAsync(r => r.Received.Count >= before + 20, "deliveries of the backlog");
        await cluster.B.StopAsync(kill: true);
        output.WriteLine($"B killed with deliveries under way: {receiver.Received.Count - before} requests since A came back");

        load.Receiver(failPercent: 0, TimeSpan.Zero);
        await load.VerifyAsync(vdn => EventLoad.FeedAsync(TwoNodeCluster.Admin(cluster.A.Http), vdn), Vdns);
        output.WriteLine($"{load.Acknowledged} uploads and {load.Deleted} deletes acknowledged; the receiver got {receiver.Received.Count} "
            + $"requests, {receiver.Delivered.Count} of them delivered");
        await cluster.EnsureRunningAsync();
    }
}
