using Ccfs.Server.Configuration;
using Ccfs.Server.Metadata;
using Ccfs.Server.Storage;

namespace Ccfs.Server;

/// <summary>
/// Runs before the server accepts requests: applies catalog migrations, loads run-time parameters, empties every location's temporary folder
/// and finishes what a crash interrupted (pending uploads are undone, deletes completed), so no partial or unrecorded
/// file survives a restart.
/// </summary>
public sealed partial class StartupRecovery(CcfsSettings settings, IFileCatalog catalog, LocationSet locations, CatalogSync sync,
    ILogger<StartupRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.DataDir);
        await catalog.MigrateAsync(cancellationToken);
        await sync.RefreshAsync(cancellationToken);
        foreach (var store in locations.Stores)
        {
            await store.SweepTemporaryFilesAsync(cancellationToken);
        }

        var unfinished = await catalog.ListUnfinishedAsync(cancellationToken);
        foreach (var record in unfinished)
        {
            await locations.DeleteEverywhereAsync(record.Path[1..]);
            await catalog.RemoveAsync(record.Path, cancellationToken);
        }

        LogReady(logger, settings.DataDir, string.Join(", ", settings.Locations.Select(l => $"{l.Id}={l.Root}")), unfinished.Count);
        if (settings.UsesDevelopmentAccount)
        {
            var dev = Auth.Account.Development;
            LogDevelopmentAccount(logger, dev.AccessKey, dev.SecretKeys[0], string.Join(',', dev.VdnIds));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "ccfs data in {DataDir}, locations {Locations}; {Interrupted} interrupted upload(s) or delete(s) finished")]
    private static partial void LogReady(ILogger logger, string dataDir, string locations, int interrupted);

    [LoggerMessage(LogLevel.Warning, "No account is configured: the development account AK={AccessKey} SK={SecretKey} serves VDN {Vdns}. "
        + "It exists only while every listener is loopback; meanwhile failed signatures from loopback addresses never lock them.")]
    private static partial void LogDevelopmentAccount(ILogger logger, string accessKey, string secretKey, string vdns);
}
