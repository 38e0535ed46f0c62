using System.Threading.RateLimiting;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Http;

/// <summary>
/// The bounded slots uploads hold while their body is read into memory and stored (<c>Ccfs:Limits:MaxConcurrentUploads</c>),
/// and the queue of those waiting for one (<c>UploadQueueLength</c> places, each waited in for at most
/// <c>UploadQueueTimeout</c>). A slot is taken only after the request's headers were screened, so a request that can
/// never be admitted neither holds one nor waits for one.
/// </summary>
public sealed partial class UploadSlots : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _queueTimeout;
    private readonly CcfsMetrics _metrics;
    private readonly ILogger<UploadSlots> _logger;

    public UploadSlots(CcfsSettings settings, CcfsMetrics metrics, ILogger<UploadSlots> logger)
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = settings.Limits.MaxConcurrentUploads,
            QueueLimit = settings.Limits.UploadQueueLength,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _queueTimeout = settings.Limits.UploadQueueTimeout;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>A slot, or the reason none was given: every slot and queue place taken, or no slot came free in time.</summary>
    public async Task<(UploadSlot? Slot, string? Refusal)> TakeAsync(string clientIp, CancellationToken requestAborted)
    {
        var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
            timeout.CancelAfter(_queueTimeout);
            _metrics.UploadsQueued.Inc();
            try
            {
                lease = await _limiter.AcquireAsync(1, timeout.Token);
            }
            catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
            {
                _metrics.UploadSlotRefusals.WithLabels("queue_timeout").Inc();
                LogQueueTimeout(_logger, clientIp, _queueTimeout);
                return (null, $"no upload slot came free within {_queueTimeout.TotalSeconds:0.###} s");
            }
            catch (OperationCanceledException)
            {
                return (null, "the client went away while waiting for an upload slot");
            }
            finally
            {
                _metrics.UploadsQueued.Dec();
            }

            if (!lease.IsAcquired)
            {
                lease.Dispose();
                _metrics.UploadSlotRefusals.WithLabels("queue_full").Inc();
                return (null, "too many uploads are in progress");
            }
        }

        return (new UploadSlot(lease, _metrics), null);
    }

    public void Dispose() => _limiter.Dispose();

    [LoggerMessage(LogLevel.Information, "An upload from {ClientIp} waited {Timeout} for a slot and was answered 0300503")]
    private static partial void LogQueueTimeout(ILogger logger, string clientIp, TimeSpan timeout);
}

/// <summary>One of the <see cref="UploadSlots"/>, held until disposed; counted in <c>ccfs_uploads_in_flight</c>.</summary>
public sealed class UploadSlot : IDisposable
{
    private readonly CcfsMetrics _metrics;
    private RateLimitLease? _lease;

    internal UploadSlot(RateLimitLease lease, CcfsMetrics metrics)
    {
        _lease = lease;
        _metrics = metrics;
        metrics.UploadsInFlight.Inc();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _lease, null) is { } lease)
        {
            lease.Dispose();
            _metrics.UploadsInFlight.Dec();
        }
    }
}
