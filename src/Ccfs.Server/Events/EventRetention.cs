using Ccfs.Server.Catalog;

namespace Ccfs.Server.Events;

/// <summary>
/// Purges events, delivery records and dead letters older than <c>Ccfs:Events:Retention</c>, at start and hourly. Every
/// node may run it: each chunk of the purge is an idempotent write of its own.
/// </summary>
public sealed partial class EventRetention(EventStore events, EventOptions options, TimeProvider time, ILogger<EventRetention> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                var removed = await events.PurgeAsync(time.GetUtcNow() - options.Retention, stoppingToken);
                if (removed > 0)
                {
                    LogPurged(logger, removed, options.Retention);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Purged {Count} events older than {Retention}")]
    private static partial void LogPurged(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(LogLevel.Warning, "Purging old events failed; the next hourly pass tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
