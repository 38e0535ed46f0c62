using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Catalog;

/// <summary>
/// Keeps this node's run-time parameters (and accounts) equal to the catalog's. Every change bumps one counter in the
/// catalog, so a poll costs one tiny read, and a change made on any node reaches every node within one interval.
/// </summary>
public sealed partial class CatalogSync(ParameterStore store, RuntimeParameters parameters, AccountStore accountStore,
    AccountDirectory accounts, ISharedIpLocks ipLocks, IpLockout lockout, TimeProvider time, ILogger<CatalogSync> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _version = -1;

    /// <summary>Reloads everything if the catalog changed since the last load.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var version = await store.ChangeVersionAsync(cancellationToken);
            if (version == _version)
            {
                return;
            }

            var overrides = await store.LoadAsync(cancellationToken);
            if (parameters.ApplyStored(overrides) is { Count: > 0 } errors)
            {
                LogInvalidOverrides(logger, string.Join("; ", errors));
            }

            accounts.Load(await accountStore.ListAsync(cancellationToken));
            if (ipLocks.IsShared)
            {
                lockout.Load(await ipLocks.ActiveAsync(time.GetUtcNow(), cancellationToken));
            }

            _version = version;
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(LogLevel.Error, "Parameter overrides in the catalog break today's rules and are not applied (the rest are): {Errors}. "
        + "Fix them with PUT /admin/api/parameters.")]
    private static partial void LogInvalidOverrides(ILogger logger, string errors);
}

/// <summary>Polls the catalog for changes made by other nodes, and for delete marks (<see cref="DeleteMarks"/>).</summary>
public sealed partial class CatalogWatcher(CatalogSync sync, DeleteMarks marks, IFileCatalog catalog, CcfsSettings settings, TimeProvider time,
    ILogger<CatalogWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Admin.RefreshInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // Apart: a failed look at the marks must not hold up parameter and account changes, nor they it.
                    await Task.WhenAll(marks.RefreshAsync(catalog, stoppingToken), sync.RefreshAsync(stoppingToken));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, or a start that failed after this loop began: not a failure of the loop.
        }
    }

    [LoggerMessage(LogLevel.Warning, "Reading parameter, account and delete mark changes from the catalog failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
