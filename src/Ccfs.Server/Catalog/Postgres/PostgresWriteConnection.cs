using System.Data.Common;
using Npgsql;

namespace Ccfs.Server.Catalog.Postgres;

/// <summary>
/// The PostgreSQL catalog's write connection on this node: batches of writes per transaction (group commit, as
/// PostgreSQL itself does for concurrent commits, but with one round trip per batch's commit). Lock and statement
/// timeouts bound each batch by the write timeout, so rows another node holds are waited for a bounded time and then
/// answered 503. A durable batch sets <c>synchronous_commit = on</c> itself, whatever the server's default, and a
/// deferred one sets it off.
/// </summary>
public sealed class PostgresWriteConnection(NpgsqlDataSource dataSource, PostgresDialect dialect) : WriteConnection(dialect, reuseCommands: false)
{
    public override Task StartLoop(Func<Task> loop) => Task.Run(loop);

    public override bool CutsBatches => true;

    protected override async Task<DbConnection> OpenAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    protected override async Task<DbTransaction> BeginTransactionAsync(DbConnection connection, Durability durability, TimeSpan wait,
        CancellationToken cancellationToken)
    {
        // Read committed whatever the server's default: each statement then reads what committed before it began, which
        // is what a decision taken after a lock (FOR UPDATE, LockNameAsync) relies on.
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken);
        var milliseconds = (int)wait.TotalMilliseconds;
        await using var settings = new NpgsqlCommand(
            $"SET LOCAL lock_timeout = {milliseconds}; SET LOCAL statement_timeout = {milliseconds}; "
            + $"SET LOCAL synchronous_commit = {(durability == Durability.Durable ? "on" : "off")};",
            (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        await settings.ExecuteNonQueryAsync(cancellationToken);
        return transaction;
    }
}
