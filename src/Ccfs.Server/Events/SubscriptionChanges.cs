namespace Ccfs.Server.Events;

/// <summary>
/// A counter of changes to subscriptions (made through this node's admin API, or seen in the catalog by a full pass),
/// so a delivery that keeps its claim between events reads its subscription again once it changed: a rotated secret
/// signs the next delivery, a disabled subscription stops, a rewound cursor is picked up. A delivery looks at it
/// twice: before each event, and once more as its request is handed to the connection (<see cref="Gate"/>), after the
/// connect, which may take seconds. A change counted here waits for the requests being handed over under the settings
/// before it, so once it completes no request under those settings is handed over any more.
/// </summary>
public sealed class SubscriptionChanges
{
    private readonly Lock _lock = new();
    private int _version;
    private int _handing;
    private TaskCompletionSource? _handed;

    public int Version => Volatile.Read(ref _version);

    /// <summary>Counts a change, without waiting for the requests being handed over meanwhile.</summary>
    public void Changed() => _ = ChangedAsync();

    /// <summary>
    /// Counts a change; completes once no request is being handed over under the settings read before it (at once,
    /// nearly always: handing over is writing a small body into the connection's buffer).
    /// </summary>
    public Task ChangedAsync()
    {
        lock (_lock)
        {
            _version++;
            return _handing == 0 ? Task.CompletedTask : (_handed ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>The gate of a request sent under the subscription as read at <paramref name="version"/>.</summary>
    public SendGate Gate(int version) => new(this, version);

    internal bool TryEnter(int version)
    {
        lock (_lock)
        {
            if (_version != version)
            {
                return false;
            }

            _handing++;
            return true;
        }
    }

    internal void Exit()
    {
        TaskCompletionSource? handed = null;
        lock (_lock)
        {
            if (--_handing == 0)
            {
                (handed, _handed) = (_handed, null);
            }
        }

        handed?.TrySetResult();
    }
}

/// <summary>
/// Lets a request go to its connection only if no subscription changed since its settings were read: entered as the
/// request's body is written (after the connect), left once it has been; refused, the request is given up unsent.
/// </summary>
public sealed class SendGate(SubscriptionChanges changes, int version)
{
    public bool TryEnter() => changes.TryEnter(version);

    public void Exit() => changes.Exit();
}
