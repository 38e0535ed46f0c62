using System.Threading.Channels;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Audit;

/// <summary>
/// Records every audited call. Requests only enqueue (no catalog write on the request path); a background loop writes
/// batches through the catalog's writer. A batch that cannot be written (disk full, database held by another process)
/// is kept and retried with a growing pause (1 s up to 30 s) until it is written; meanwhile new entries queue. Only when
/// the queue is full, or at shutdown with the catalog still failing, are entries dropped: each is counted in
/// <c>ccfs_audit_dropped_total</c> and logged. Entries past the retention are purged hourly.
/// </summary>
public sealed partial class AuditTrail(IAuditStore store, CcfsSettings settings, TimeProvider time, CcfsMetrics metrics,
    ILogger<AuditTrail> logger) : BackgroundService, IInterfaceCallSink
{
    /// <summary>Entries that may wait to be written; past it new ones are dropped and counted.</summary>
    public const int Capacity = 100_000;
    private const int BatchSize = 512;
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    // Wait, not DropWrite: with DropWrite TryWrite reports success for an entry it drops, so no drop would be seen.
    // Requests never wait either way, since they only call TryWrite.
    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly SemaphoreSlim _writing = new(1, 1);

    // The batch being written: it leaves the queue only once written, so a failed write loses nothing. Guarded by _writing.
    private readonly List<AuditEntry> _batch = new(BatchSize);
    private volatile bool _batchWaiting;
    private long _dropped;

    public void Record(InterfaceCall call, string resultCode)
    {
        if (!call.Audited)
        {
            return;
        }

        var now = time.GetUtcNow();
        var entry = new AuditEntry(0, call.StartedAt, call.AccessKey, call.VdnId, call.ClientAddress, call.Interface, call.File, resultCode,
            (long)(now - call.StartedAt).TotalMilliseconds, Detail: call.Detail);
        if (!_queue.Writer.TryWrite(entry))
        {
            // Only when the catalog has been unwritable for a long time; the metric and the log say how many were lost.
            Drop(1, "the audit queue is full");
        }
    }

    /// <summary>One entry for <paramref name="repeats"/> refusals like <paramref name="last"/> (<see cref="RefusalDigest"/>).</summary>
    public void RecordRepeats(InterfaceCall last, string clientAddress, string resultCode, long repeats, DateTimeOffset at)
    {
        if (!_queue.Writer.TryWrite(new AuditEntry(0, at, last.AccessKey, last.VdnId, clientAddress, last.Interface, null, resultCode, 0, repeats)))
        {
            Drop(1, "the audit queue is full");
        }
    }

    /// <summary>Writes everything queued so far, so a reader sees calls answered before it asked; throws if the catalog fails.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                if (_batch.Count == 0)
                {
                    while (_batch.Count < BatchSize && _queue.Reader.TryRead(out var entry))
                    {
                        _batch.Add(entry);
                    }

                    if (_batch.Count == 0)
                    {
                        return;
                    }
                }

                _batchWaiting = true;
                await store.AppendAsync(_batch, cancellationToken);
                _batch.Clear();
                _batchWaiting = false;
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public Task<int> PurgeAsync(CancellationToken cancellationToken) =>
        store.PurgeAsync(time.GetUtcNow() - settings.Admin.AuditRetention, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var purge = PurgeLoopAsync(stoppingToken);
        var pause = FirstRetry;
        try
        {
            while (_batchWaiting || await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                    pause = FirstRetry;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWriteFailed(logger, e, _batch.Count + _queue.Reader.Count, pause);
                    await Task.Delay(pause, time, stoppingToken);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LastRetry.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // One last attempt at shutdown; what it cannot write is counted as dropped, never silently lost.
        try
        {
            await FlushAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            Drop(_batch.Count + _queue.Reader.Count, "the catalog could not be written at shutdown: " + e.Message);
        }

        await purge;
    }

    private void Drop(int count, string reason)
    {
        if (count == 0)
        {
            return;
        }

        metrics.AuditDropped.Inc(count);
        LogDropped(logger, count, Interlocked.Add(ref _dropped, count), reason);
    }

    private async Task PurgeLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        try
        {
            do
            {
                try
                {
                    var removed = await PurgeAsync(stoppingToken);
                    if (removed > 0)
                    {
                        LogPurged(logger, removed, settings.Admin.AuditRetention);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPurgeFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(LogLevel.Error, "{Count} audit entries were not recorded ({Total} since start): {Reason}")]
    private static partial void LogDropped(ILogger logger, int count, long total, string reason);

    [LoggerMessage(LogLevel.Error, "Writing the audit trail failed; {Waiting} entries wait and are retried in {Pause}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int waiting, TimeSpan pause);

    [LoggerMessage(LogLevel.Error, "Purging old audit entries failed; the next hourly purge tries again")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Information, "Purged {Removed} audit entries older than {Retention}")]
    private static partial void LogPurged(ILogger logger, int removed, TimeSpan retention);
}
