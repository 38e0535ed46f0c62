using System.Data.Common;

namespace Ccfs.Server.Catalog;

/// <summary>Why a catalog statement failed, which decides what its caller is told and whether a batch is retried write by write.</summary>
public enum CatalogFailure
{
    /// <summary>A fault of the statement or of its data (a constraint, a bug): it fails alone.</summary>
    Statement,

    /// <summary>The database could not be had in time: held by another process, locked, unreachable, shutting down.</summary>
    Unavailable,

    /// <summary>The database takes no writes for now: its disk is full, it is read-only, its files cannot be written.</summary>
    Refusing,
}

/// <summary>
/// What the two catalogs spell differently. Every statement is written once, in the SQL both SQLite and PostgreSQL
/// read (named <c>@parameters</c>, upserts, <c>string_agg</c>, <c>CAST</c>), and asks the dialect only for these.
/// </summary>
public abstract class CatalogDialect
{
    /// <summary>For people: <c>SQLite</c>, <c>PostgreSQL</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Appended to a <c>SELECT</c> that decides a write, so two nodes deciding on the same row take turns; empty where one
    /// writer already serialises every write (SQLite).
    /// </summary>
    public abstract string ForUpdate { get; }

    /// <summary>
    /// Runs first in a transaction that decides on a file name by reading a table its rival writes, so the two take turns:
    /// an upload's reservation (no retention claim on the name) and retention's claim of a recording (no row names it).
    /// Row locks cannot do it, as neither row exists yet; nothing where one writer already serialises every write (SQLite).
    /// </summary>
    public virtual ValueTask LockNameAsync(CatalogTransaction transaction, string path, CancellationToken cancellationToken) => default;

    /// <summary>Appended to a <c>SELECT</c> of rows to clean up, so nodes cleaning at once never wait on each other.</summary>
    public abstract string ForUpdateSkipLocked { get; }

    /// <summary>The schema, one migration per version, applied in order and never edited once released.</summary>
    public abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>What kind of failure <paramref name="exception"/> is, with the reason to give.</summary>
    public abstract (CatalogFailure Kind, string Reason) Classify(DbException exception);

    /// <summary>Runs first in the migrating transaction: makes nodes starting together migrate one at a time.</summary>
    public virtual ValueTask BeginMigrationAsync(CatalogTransaction transaction, CancellationToken cancellationToken) => default;

    /// <summary>Tells the other nodes, in the transaction of a change to accounts, parameters or IP locks, that it happened.</summary>
    public virtual ValueTask AnnounceChangeAsync(CatalogTransaction transaction, CancellationToken cancellationToken) => default;

    /// <summary>The exception a caller sees for a failure of <paramref name="exception"/>'s kind; the original for a statement fault.</summary>
    public DbException Translate(DbException exception) => Classify(exception) switch
    {
        (CatalogFailure.Unavailable, var reason) => new CatalogUnavailableException(reason, exception),
        (CatalogFailure.Refusing, var reason) => new CatalogUnavailableException(reason, exception, refusing: true),
        _ => exception,
    };
}
