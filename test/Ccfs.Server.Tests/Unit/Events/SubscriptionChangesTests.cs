using Ccfs.Server.Events;

namespace Ccfs.Server.Tests.Unit.Events;

/// <summary>
/// The gate a request passes as it goes to its connection: refused once a change was counted after its settings were
/// read, and a change waits for a request inside the gate, so the admin call that made the change answers only once no
/// request under the old settings can still go (docs/events.md, Signatures).
/// </summary>
public sealed class SubscriptionChangesTests
{
    [Fact]
    public async Task A_change_closes_the_gate_of_older_settings_and_waits_for_a_request_inside_it()
    {
        var changes = new SubscriptionChanges();
        var gate = changes.Gate(changes.Version);
        Assert.True(gate.TryEnter());

        var changed = changes.ChangedAsync();
        Assert.False(changed.IsCompleted, "the change waits for the request being handed over under the old settings");
        Assert.False(changes.Gate(changes.Version - 1).TryEnter());
        var current = changes.Gate(changes.Version);
        Assert.True(current.TryEnter());
        current.Exit();
        Assert.False(changed.IsCompleted, "a request under the new settings is not what it waits for, but the old one");

        gate.Exit();
        await changed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(gate.TryEnter());
        Assert.True(changes.ChangedAsync().IsCompleted, "with no request inside a gate, a change waits for nothing");
    }
}
