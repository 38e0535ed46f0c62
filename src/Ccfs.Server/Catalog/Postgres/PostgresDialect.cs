using System.Data.Common;
using Npgsql;

namespace Ccfs.Server.Catalog.Postgres;

/// <summary>
/// PostgreSQL's spelling: row locks (<c>FOR UPDATE</c>, <c>SKIP LOCKED</c>) for decisions nodes race for, an advisory lock
/// so nodes starting together migrate one at a time, and a <c>NOTIFY</c> on the schema's change channel with each change.
/// </summary>
public sealed class PostgresDialect : CatalogDialect
{
    private string? _schema;

    public override string Name => "PostgreSQL";

    public override string ForUpdate => " FOR UPDATE";

    public override string ForUpdateSkipLocked => " FOR UPDATE SKIP LOCKED";

    public override IReadOnlyList<string> Migrations => PostgresSchema.Migrations;

    /// <summary>The schema the catalog lives in (the connection string's search path), known once migrated.</summary>
    public string Schema => _schema ?? throw new InvalidOperationException("the catalog has not been migrated yet");

    /// <summary>The NOTIFY channel of this catalog's changes, one per schema so catalogs sharing a database stay apart.</summary>
    public string ChangeChannel => "ccfs_changes_" + Schema;

    public override (CatalogFailure Kind, string Reason) Classify(DbException exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } e => (CatalogFailure.Refusing, $"the PostgreSQL catalog's disk is full: {e.MessageText}"),
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } e =>
            (CatalogFailure.Refusing, $"the PostgreSQL catalog is read-only: {e.MessageText}"),
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled } e =>
            (CatalogFailure.Unavailable, $"the PostgreSQL catalog is unavailable: {e.MessageText}"),
        PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.TooManyConnections } e =>
            (CatalogFailure.Unavailable, $"the PostgreSQL catalog is unavailable: {e.MessageText}"),
        PostgresException e => (CatalogFailure.Statement, e.Message),
        // Not an answer of the server: it cannot be reached, or the connection broke.
        NpgsqlException e => (CatalogFailure.Unavailable, $"the PostgreSQL catalog cannot be reached: {e.Message}"),
        _ => (CatalogFailure.Statement, exception.Message),
    };

    /// <summary>Migrations may take longer than a write may wait; nodes starting together queue on the advisory lock.</summary>
    public override async ValueTask BeginMigrationAsync(CatalogTransaction transaction, CancellationToken cancellationToken)
    {
        transaction.CommandTimeout = 0;
        await transaction.ExecuteAsync("SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0;", cancellationToken);
        _schema = (string)(await transaction.ScalarAsync("SELECT current_schema();", cancellationToken))!;
        await transaction.ScalarAsync("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':ccfs-migrate'));", cancellationToken);
    }

    /// <summary>
    /// A transaction-scoped advisory lock on the name's hash, in a key space of its own (the two-key form never meets the
    /// migration lock's one key). Two names sharing a hash only wait for each other.
    /// </summary>
    public override async ValueTask LockNameAsync(CatalogTransaction transaction, string path, CancellationToken cancellationToken) =>
        await transaction.ScalarAsync("SELECT pg_advisory_xact_lock(1667458675, hashtext(@path));", cancellationToken, ("path", path));

    /// <summary>Every node's listener hears it when the change commits.</summary>
    public override async ValueTask AnnounceChangeAsync(CatalogTransaction transaction, CancellationToken cancellationToken) =>
        await transaction.ExecuteAsync("SELECT pg_notify(@channel, '');", cancellationToken, ("channel", ChangeChannel));
}
