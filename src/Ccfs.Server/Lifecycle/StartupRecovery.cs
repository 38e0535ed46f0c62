using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Lifecycle;

/// <summary>
/// Runs before the server accepts requests: applies catalog migrations (taking the data dir lock, for SQLite), joins
/// the node registry, loads run-time parameters and accounts, and runs a first recovery pass: every location's
/// temporary files of instances that are gone are removed, and what they left unfinished is finished (an upload whose
/// copies are all in place is stored, any other undone; deletes completed), so no partial or unrecorded file survives
/// a restart. <see cref="RecoverySweeper"/> repeats the pass while the server runs.
/// </summary>
public sealed partial class StartupRecovery(CcfsSettings settings, CatalogProvider catalog, INodeRegistry nodes, NodeIdentity node,
    WorkRecovery recovery, CatalogSync sync, AccountStore accounts, Auth.MasterKey masterKey, ILogger<StartupRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.DataDir);
        var (from, to) = await catalog.MigrateAsync(cancellationToken);
        if (from != to)
        {
            LogMigrated(logger, catalog.Where, from, to);
        }
        await CheckMasterKeyAsync(cancellationToken);
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

    /// <summary>
    /// The first node to start on a catalog leaves a value sealed with its master key there; a node whose key cannot open
    /// it would seal secrets no other node can open, and not open theirs, so it refuses to start and says why.
    /// </summary>
    private async Task CheckMasterKeyAsync(CancellationToken cancellationToken)
    {
        const string check = "ccfs-master-key-check";
        var stored = await accounts.ClaimKeyCheckAsync(masterKey.Seal(check, check), cancellationToken);
        if (masterKey.Open(check, stored) != check)
        {
            throw new Hosting.CcfsStartupException("this node's master key is not the one the catalog's secret keys are sealed with: "
                + "every node of a deployment needs the same key (Ccfs:Security:MasterKey, or the same " + Auth.MasterKey.FileName
                + " file); restore the key that belongs to this catalog");
        }
    }

    [LoggerMessage(LogLevel.Information, "Catalog {Catalog} migrated from version {From} to {To} (0: it was created)")]
    private static partial void LogMigrated(ILogger logger, string catalog, int from, int to);

    [LoggerMessage(LogLevel.Information, "ccfs data in {DataDir}, locations {Locations}, node {Node}; {Interrupted} interrupted "
        + "upload(s) or delete(s) finished, {Left} left to live nodes")]
    private static partial void LogReady(ILogger logger, string dataDir, string locations, string node, int interrupted, int left);

    [LoggerMessage(LogLevel.Warning, "No account is configured: the development account AK={AccessKey} SK={SecretKey} serves VDN {Vdns}. "
        + "It exists only while every listener is loopback; meanwhile failed signatures from loopback addresses never lock them.")]
    private static partial void LogDevelopmentAccount(ILogger logger, string accessKey, string secretKey, string vdns);
}
