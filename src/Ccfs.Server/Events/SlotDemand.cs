using System.Collections.Concurrent;

namespace Ccfs.Server.Events;

/// <summary>
/// Which subscriptions have cursors waiting for one of their <c>Ccfs:Events:MaxConcurrentDeliveries</c> slots, as the
/// dispatcher's last look for work found them: a delivery of such a subscription that caught up lets its claim and
/// slot go at once instead of lingering, so a subscription over many VDNs is not held to a few VDNs per linger.
/// </summary>
public sealed class SlotDemand
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private volatile IReadOnlySet<string> _waiting = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether cursors of the subscription waited for a slot at the dispatcher's last look.</summary>
    public bool IsWanted(string subscriptionId) => _waiting.Contains(subscriptionId);

    /// <summary>Completes when cursors of the subscription are found waiting; take it before asking <see cref="IsWanted"/>.</summary>
    public Task Wanted(string subscriptionId) =>
        _signals.GetOrAdd(subscriptionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>What the dispatcher's look found: the subscriptions with cursors waiting for a slot.</summary>
    public void Found(IEnumerable<string> subscriptionIds)
    {
        var waiting = new HashSet<string>(subscriptionIds, StringComparer.Ordinal);
        _waiting = waiting;
        foreach (var subscriptionId in waiting)
        {
            if (_signals.TryRemove(subscriptionId, out var signal))
            {
                signal.TrySetResult();
            }
        }
    }
}
