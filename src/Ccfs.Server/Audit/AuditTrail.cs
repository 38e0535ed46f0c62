using System.Threading.Channels;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Audit;

/// <summary>
/// Records every audited call. Requests only enqueue (no catalog write on the request path); a background loop writes
/// batches in one transaction each, purges entries past the retention hourly, and drains the queue at shutdown.
/// </summary>
public sealed partial class AuditTrail(SqliteAuditStore store, CcfsSettings settings, TimeProvider time, CcfsMetrics metrics,
    ILogger<AuditTrail> logger) : BackgroundService, IInterfaceCallSink
{
    /// <summary>Entries that may wait to be written; past it new ones are dropped and counted.</summary>
    public const int Capacity = 100_000;
    private const int BatchSize = 512;

    // Wait, not DropWrite: with DropWrite TryWrite reports success for an entry it drops, so no drop would be seen.
    // Requests never wait either way, since they only call TryWrite.
    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly SemaphoreSlim _writing = new(1, 1);
    private long _dropped;

    public void Record(InterfaceCall call, string resultCode)
    {
        if (!call.Audited)
        {
            return;
        }

        var now = time.GetUtcNow();
        var entry = new AuditEntry(0, call.StartedAt, call.AccessKey, call.VdnId, call.ClientAddress, call.Interface, call.File, resultCode,
            (long)(now - call.StartedAt).TotalMilliseconds);
        if (!_queue.Writer.TryWrite(entry))
        {
            // Only when the catalog has been unwritable for a long time; the metric and the log say how many were lost.
            metrics.AuditDropped.Inc();
            LogDropped(logger, Interlocked.Increment(ref _dropped));
        }
    }

    /// <summary>Writes everything queued so far, so a reader sees calls answered before it asked.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            while (_queue.Reader.TryPeek(out _))
            {
                await WriteBatchAsync(cancellationToken);
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
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await FlushOrLogAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await FlushOrLogAsync(CancellationToken.None);
        await purge;
    }

    private async Task FlushOrLogAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWriteFailed(logger, e);
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
        }
    }

    private async Task WriteBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<AuditEntry>(BatchSize);
        while (batch.Count < BatchSize && _queue.Reader.TryPeek(out var entry))
        {
            batch.Add(entry);
            _queue.Reader.TryRead(out _);
        }

        if (batch.Count > 0)
        {
            await store.AppendAsync(batch, cancellationToken);
        }
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
                    LogWriteFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(LogLevel.Error, "The audit queue is full; {Dropped} entries were not recorded")]
    private static partial void LogDropped(ILogger logger, long dropped);

    [LoggerMessage(LogLevel.Error, "Writing the audit trail failed; retrying")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Information, "Purged {Removed} audit entries older than {Retention}")]
    private static partial void LogPurged(ILogger logger, int removed, TimeSpan retention);
}
