using System.Threading.RateLimiting;
using Prometheus;

namespace Ccfs.Server.Http;

/// <summary>
/// A bounded number of slots one kind of work holds while it runs, and a bounded queue of requests waiting for one, each
/// waiting a bounded time. Past either bound the request is answered at once (0300503), so a flood of one kind of work
/// can neither exhaust the thread pool nor make every request wait.
/// </summary>
public abstract partial class WorkSlots : IDisposable
{
    private readonly string _work;
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _queueTimeout;
    private readonly Gauge _inFlight;
    private readonly Gauge _queued;
    private readonly Counter _refusals;
    private readonly ILogger _logger;

    protected WorkSlots(string work, int permits, int queueLength, TimeSpan queueTimeout, Gauge inFlight, Gauge queued,
        Counter refusals, ILogger logger)
    {
        _work = work;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = permits,
            QueueLimit = queueLength,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        (_queueTimeout, _inFlight, _queued, _refusals, _logger) = (queueTimeout, inFlight, queued, refusals, logger);
    }

    /// <summary>A slot, or the reason none was given: every slot and queue place taken, or no slot came free in time.</summary>
    public async Task<(WorkSlot? Slot, string? Refusal)> TakeAsync(string clientIp, CancellationToken requestAborted)
    {
        var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
            timeout.CancelAfter(_queueTimeout);
            _queued.Inc();
            try
            {
                lease = await _limiter.AcquireAsync(1, timeout.Token);
            }
            catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
            {
                _refusals.WithLabels("queue_timeout").Inc();
                LogQueueTimeout(_logger, _work, clientIp, _queueTimeout);
                return (null, $"no {_work} slot came free within {_queueTimeout.TotalSeconds:0.###} s");
            }
            catch (OperationCanceledException)
            {
                return (null, "the client went away while waiting for a slot");
            }
            finally
            {
                _queued.Dec();
            }

            if (!lease.IsAcquired)
            {
                lease.Dispose();
                _refusals.WithLabels("queue_full").Inc();
                return (null, $"too many {_work}s are in progress");
            }
        }

        return (new WorkSlot(lease, _inFlight), null);
    }

    public void Dispose()
    {
        _limiter.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(LogLevel.Information, "A request to {Work} from {ClientIp} waited {Timeout} for a slot and was answered 0300503")]
    private static partial void LogQueueTimeout(ILogger logger, string work, string clientIp, TimeSpan timeout);
}

/// <summary>One of the <see cref="WorkSlots"/>, held until disposed and counted in its in-flight gauge meanwhile.</summary>
public sealed class WorkSlot : IDisposable
{
    private readonly Gauge _inFlight;
    private RateLimitLease? _lease;

    internal WorkSlot(RateLimitLease lease, Gauge inFlight)
    {
        _lease = lease;
        _inFlight = inFlight;
        inFlight.Inc();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _lease, null) is { } lease)
        {
            lease.Dispose();
            _inFlight.Dec();
        }
    }
}
