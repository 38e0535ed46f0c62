namespace Ccfs.Server.Catalog.Postgres;

/// <summary>
/// Node leases in the shared catalog: each instance holds a row whose <c>lease_until</c> it pushes forward every third of
/// <c>Ccfs:Node:LeaseDuration</c>, by the database's clock. An instance whose lease ran out is gone: recovery on any
/// node may finish its unfinished work. (Should a paused node wake up after that, its own steps fail safely: a commit or
/// recovery only moves a row from the state and owner it expects, and recovery takes a pending row over before it
/// decides, so the woken owner cannot store it meanwhile.) A clean stop deletes the row at once.
/// </summary>
public sealed partial class PostgresNodeRegistry(CatalogDatabase database, NodeIdentity node, TimeSpan lease,
    ILogger<PostgresNodeRegistry> logger) : BackgroundService, INodeRegistry
{
    private TimeSpan Lease => lease;

    public Task JoinAsync(CancellationToken cancellationToken) => RenewAsync(cancellationToken);

    public async Task<IReadOnlySet<string>> LiveInstancesAsync(CancellationToken cancellationToken)
    {
        var live = await database.QueryAsync("SELECT instance FROM nodes WHERE lease_until > now();", r => r.GetString(0), cancellationToken);
        return new HashSet<string>(live.Append(node.Instance), StringComparer.Ordinal);
    }

    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.Writer.WriteAsync(async (tx, ct) =>
                await tx.ExecuteAsync("DELETE FROM nodes WHERE instance = @instance;", ct, ("instance", node.Instance)));
        }
        catch (Exception e) when (e is System.Data.Common.DbException)
        {
            // The lease then simply runs out.
            LogLeaveFailed(logger, e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RenewAsync(stoppingToken);
                }
                catch (Exception e) when (e is System.Data.Common.DbException)
                {
                    LogRenewFailed(logger, e, Lease);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Renews on a connection of its own, not in the writer's queue: a batch held up by rows another node holds locked
    /// (until PostgreSQL ends that node's transaction) must not cost this node its lease, or other nodes would finish
    /// its work while it is still doing it. One round trip, bounded by the command timeout.
    /// </summary>
    private Task RenewAsync(CancellationToken cancellationToken) =>
        // Nodes gone for a day are forgotten; their work was finished long since.
        database.QueryAsync("""
            INSERT INTO nodes (instance, name, started_at, lease_until) VALUES (@instance, @name, now(), now() + @lease)
            ON CONFLICT (instance) DO UPDATE SET lease_until = excluded.lease_until;
            DELETE FROM nodes WHERE lease_until < now() - interval '1 day';
            """, _ => 0, cancellationToken, ("instance", node.Instance), ("name", node.Name), ("lease", Lease));

    [LoggerMessage(LogLevel.Warning, "Renewing this node's lease in the catalog failed; after {Lease} without renewal other nodes "
        + "count it as gone and finish its unfinished work")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, TimeSpan lease);

    [LoggerMessage(LogLevel.Warning, "Removing this node's lease at shutdown failed; it runs out by itself")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception);
}
