using Ccfs.Server.Configuration;
using Ccfs.Server.Metadata;
using Ccfs.Server.Storage;

namespace Ccfs.Server;

/// <summary>
/// Runs before the server accepts requests: applies catalog migrations (taking the data dir lock, for SQLite), joins
/// the node registry, loads run-time parameters and accounts, and runs a first recovery pass: every location's
/// temporary files of instances that are gone are removed, and what they left unfinished is finished (an upload whose
/// copies are all in place is stored, any other undone; deletes completed), so no partial or unrecorded file survives
/// a restart. <see cref="RecoverySweeper"/> repeats the pass while the server runs.
/// </summary>
public sealed partial class StartupRecovery(CcfsSettings settings, IFileCatalog catalog, INodeRegistry nodes, NodeIdentity node,
    WorkRecovery recovery, CatalogSync sync, ILogger<StartupRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.DataDir);
        await catalog.MigrateAsync(cancellationToken);
        await nodes.JoinAsync(cancellationToken);
        await sync.RefreshAsync(cancellationToken);
        var pass = await recovery.RunAsync(cancellationToken);

        LogReady(logger, settings.DataDir, string.Join(", ", settings.Locations.Select(l => $"{l.Id}={l.Where}")), node.ToString(),
            pass.Finished, pass.Left);
        if (settings.UsesDevelopmentAccount)
        {
            var dev = Auth.Account.Development;
            LogDevelopmentAccount(logger, dev.AccessKey, dev.SecretKeys[0], string.Join(',', dev.VdnIds));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => nodes.LeaveAsync(cancellationToken);

    [LoggerMessage(LogLevel.Information, "ccfs data in {DataDir}, locations {Locations}, node {Node}; {Interrupted} interrupted "
        + "upload(s) or delete(s) finished, {Left} left to live nodes")]
    private static partial void LogReady(ILogger logger, string dataDir, string locations, string node, int interrupted, int left);

    [LoggerMessage(LogLevel.Warning, "No account is configured: the development account AK={AccessKey} SK={SecretKey} serves VDN {Vdns}. "
        + "It exists only while every listener is loopback.")]
    private static partial void LogDevelopmentAccount(ILogger logger, string accessKey, string secretKey, string vdns);
}
