using Prometheus;

namespace Ccfs.Server.Http;

/// <summary>
/// A bounded number of slots one kind of work holds while it runs, and a bounded queue of requests waiting for one, each
/// waiting a bounded time; past either bound the request is answered at once (0300503), so a flood of one kind of work
/// can neither exhaust memory nor make every request wait.
/// <para>
/// A request takes its slot before its body is read, when only its headers have been screened: nothing yet proves its
/// sender holds the secret key it names (access keys travel in clear). Until its signature is verified
/// (<see cref="WorkSlot.Verified"/>), slots held by one client address, or in one access key's name, may be at most
/// <see cref="UnverifiedShare"/> of them; past that share a request waits for one of its own to be verified or to end,
/// while others take the free slots. So strangers sending slow bodies under a known key can hold only their share, and a
/// client's waiting requests may fill at most the same share of the queue.
/// </para>
/// </summary>
public abstract partial class WorkSlots
{
    private readonly string _work;
    private readonly int _permits;
    private readonly int _queueLength;
    private readonly int _unverifiedShare;
    private readonly int _queueShare;
    private readonly TimeSpan _queueTimeout;
    private readonly Gauge _inFlight;
    private readonly Gauge _queued;
    private readonly Counter _refusals;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly Dictionary<string, int> _unverifiedByAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _unverifiedByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _waitingByAddress = new(StringComparer.Ordinal);
    private int _inUse;

    /// <param name="unverifiedShare">The fraction of the slots (and of the queue) one address or access key may hold unverified.</param>
    protected WorkSlots(string work, int permits, int queueLength, TimeSpan queueTimeout, double unverifiedShare, Gauge inFlight, Gauge queued,
        Counter refusals, ILogger logger)
    {
        (_work, _permits, _queueLength, _queueTimeout) = (work, permits, queueLength, queueTimeout);
        _unverifiedShare = Math.Max(1, (int)(permits * unverifiedShare));
        _queueShare = Math.Max(1, (int)(queueLength * unverifiedShare));
        (_inFlight, _queued, _refusals, _logger) = (inFlight, queued, refusals, logger);
    }

    /// <summary>How many slots the unverified requests of one client address, or of one access key, may hold at once.</summary>
    public int UnverifiedShare => _unverifiedShare;

    /// <summary>A slot, held unverified in the name of <paramref name="accessKey"/>, or the reason none was given.</summary>
    public async Task<(WorkSlot? Slot, string? Refusal)> TakeAsync(string clientIp, string accessKey, CancellationToken requestAborted)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (_inUse < _permits && MayHold(clientIp, accessKey))
            {
                return (Grant(clientIp, accessKey), null);
            }

            if (_waiters.Count >= _queueLength || _waitingByAddress.GetValueOrDefault(clientIp) >= _queueShare)
            {
                _refusals.WithLabels("queue_full").Inc();
                return (null, _waiters.Count >= _queueLength
                    ? $"too many {_work}s are in progress"
                    : $"this client address already has {_queueShare} {_work}s waiting for a slot");
            }

            waiter = new Waiter(clientIp, accessKey);
            waiter.Node = _waiters.AddLast(waiter);
            Increment(_waitingByAddress, clientIp);
            _queued.Inc();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(_queueTimeout);
        try
        {
            return (await waiter.Granted.Task.WaitAsync(timeout.Token), null);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                if (waiter.Granted.Task.IsCompletedSuccessfully)
                {
                    // Granted as the wait ended: the slot is this request's after all.
                    return (waiter.Granted.Task.Result, null);
                }

                Leave(waiter);
            }

            if (requestAborted.IsCancellationRequested)
            {
                return (null, "the client went away while waiting for a slot");
            }

            _refusals.WithLabels("queue_timeout").Inc();
            LogQueueTimeout(_logger, _work, clientIp, _queueTimeout);
            return (null, $"no {_work} slot came free within {_queueTimeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>Called under the gate: whether this sender's unverified requests are within their share.</summary>
    private bool MayHold(string clientIp, string accessKey) =>
        _unverifiedByAddress.GetValueOrDefault(clientIp) < _unverifiedShare && _unverifiedByKey.GetValueOrDefault(accessKey) < _unverifiedShare;

    private WorkSlot Grant(string clientIp, string accessKey)
    {
        _inUse++;
        Increment(_unverifiedByAddress, clientIp);
        Increment(_unverifiedByKey, accessKey);
        _inFlight.Inc();
        return new WorkSlot(this, clientIp, accessKey);
    }

    private void Leave(Waiter waiter)
    {
        _waiters.Remove(waiter.Node!);
        Decrement(_waitingByAddress, waiter.ClientIp);
        _queued.Dec();
    }

    /// <summary>Called under the gate after a slot or an unverified place came free: grants waiters that may now hold one, oldest first.</summary>
    private void Dispatch()
    {
        for (var node = _waiters.First; node is not null && _inUse < _permits;)
        {
            var next = node.Next;
            var waiter = node.Value;
            if (MayHold(waiter.ClientIp, waiter.AccessKey))
            {
                Leave(waiter);
                waiter.Granted.TrySetResult(Grant(waiter.ClientIp, waiter.AccessKey));
            }

            node = next;
        }
    }

    internal void Verified(WorkSlot slot)
    {
        lock (_gate)
        {
            Decrement(_unverifiedByAddress, slot.ClientIp);
            Decrement(_unverifiedByKey, slot.AccessKey);
            Dispatch();
        }
    }

    internal void Release(WorkSlot slot, bool wasVerified)
    {
        lock (_gate)
        {
            _inUse--;
            _inFlight.Dec();
            if (!wasVerified)
            {
                Decrement(_unverifiedByAddress, slot.ClientIp);
                Decrement(_unverifiedByKey, slot.AccessKey);
            }

            Dispatch();
        }
    }

    private static void Increment(Dictionary<string, int> counts, string key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

    private static void Decrement(Dictionary<string, int> counts, string key)
    {
        if (counts.TryGetValue(key, out var count) && count > 1)
        {
            counts[key] = count - 1;
        }
        else
        {
            counts.Remove(key);
        }
    }

    [LoggerMessage(LogLevel.Information, "A request to {Work} from {ClientIp} waited {Timeout} for a slot and was answered 0300503")]
    private static partial void LogQueueTimeout(ILogger logger, string work, string clientIp, TimeSpan timeout);

    private sealed class Waiter(string clientIp, string accessKey)
    {
        public string ClientIp { get; } = clientIp;

        public string AccessKey { get; } = accessKey;

        public TaskCompletionSource<WorkSlot> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}

/// <summary>
/// One of the <see cref="WorkSlots"/>, held until disposed and counted in its in-flight gauge meanwhile; until
/// <see cref="Verified"/>, it also counts towards its sender's unverified share.
/// </summary>
public sealed class WorkSlot : IDisposable
{
    private readonly WorkSlots _slots;
    private int _state; // 0 unverified, 1 verified, 2 released

    internal WorkSlot(WorkSlots slots, string clientIp, string accessKey)
    {
        _slots = slots;
        ClientIp = clientIp;
        AccessKey = accessKey;
    }

    internal string ClientIp { get; }

    internal string AccessKey { get; }

    /// <summary>The request's signature is verified: it no longer counts towards its sender's unverified share.</summary>
    public void Verified()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            _slots.Verified(this);
        }
    }

    public void Dispose()
    {
        var previous = Interlocked.Exchange(ref _state, 2);
        if (previous != 2)
        {
            _slots.Release(this, wasVerified: previous == 1);
        }
    }
}
