namespace Ccfs.Server.Events;

/// <summary>
/// A counter of changes to subscriptions (made through this node's admin API, or seen in the catalog by a full pass),
/// so a delivery that keeps its claim between events reads its subscription again once it changed: a rotated secret
/// signs the next delivery, a disabled subscription stops, a rewound cursor is picked up.
/// </summary>
public sealed class SubscriptionChanges
{
    private int _version;

    public int Version => Volatile.Read(ref _version);

    public void Changed() => Interlocked.Increment(ref _version);
}
