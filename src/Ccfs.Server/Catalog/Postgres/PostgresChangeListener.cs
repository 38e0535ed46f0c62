using Npgsql;

namespace Ccfs.Server.Catalog.Postgres;

/// <summary>
/// Listens on the catalog's change channel, so an account or parameter change made on any node is loaded here within a
/// moment (the NOTIFY is sent in the transaction of the change). The periodic poll of <see cref="CatalogWatcher"/> stays
/// as a safety net; after a lost connection this reconnects and reloads, in case a notification was missed.
/// </summary>
public sealed partial class PostgresChangeListener(NpgsqlDataSource dataSource, PostgresDialect dialect, CatalogSync sync,
    ILogger<PostgresChangeListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLost(logger, e, Reconnect);
                try
                {
                    await Task.Delay(Reconnect, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        var changed = 0;
        connection.Notification += (_, _) => Interlocked.Exchange(ref changed, 1);
        await using (var listen = new NpgsqlCommand($"LISTEN \"{dialect.ChangeChannel}\";", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Whatever changed while no one listened is loaded now.
        await sync.RefreshAsync(stoppingToken);
        while (true)
        {
            await connection.WaitAsync(stoppingToken);
            if (Interlocked.Exchange(ref changed, 0) == 1)
            {
                await sync.RefreshAsync(stoppingToken);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Listening for catalog changes failed; reconnecting in {Delay} (the periodic refresh goes on meanwhile)")]
    private static partial void LogLost(ILogger logger, Exception exception, TimeSpan delay);
}
