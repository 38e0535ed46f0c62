using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>
/// The SQLite catalog's write connection, used on a thread of its own (<see cref="WriterThread"/>). A batch starts with
/// <c>BEGIN IMMEDIATE</c>, so the write lock is taken up front and a database held by another process is met there,
/// bounded by SQLite's busy timeout; <c>synchronous</c> is FULL for a batch holding a durable write and NORMAL otherwise
/// (in WAL mode a NORMAL commit reaches disk with the next FULL one).
/// </summary>
public sealed class SqliteWriteConnection(string path, TimeProvider time) : WriteConnection(SqliteDialect.Instance, reuseCommands: true)
{
    /// <summary>How often a batch checks that the catalog's files are still writable (<see cref="SqliteFiles"/>): three opens.</summary>
    private static readonly TimeSpan FileCheckInterval = TimeSpan.FromSeconds(1);

    private Durability? _synchronous;
    private long _filesCheckedAt = long.MinValue;

    public override Task StartLoop(Func<Task> loop) => WriterThread.Start("ccfs catalog writer", loop);

    protected override Task<DbConnection> OpenAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (SqliteFiles.Unwritable(path) is { } problem)
        {
            throw new CatalogUnavailableException(problem, refusing: true);
        }

        _filesCheckedAt = time.GetTimestamp();
        _synchronous = null;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString())
        {
            DefaultTimeout = SqliteProvider.TimeoutSeconds(wait),
        };
        try
        {
            connection.Open();
            using var setup = connection.CreateCommand();
            // SQLite's own busy handler waits (with short sleeps) for the whole timeout; Microsoft.Data.Sqlite then finds
            // its command timeout spent and gives up at once instead of sleeping 150 ms per retry.
            setup.CommandText = $"PRAGMA journal_mode=WAL; PRAGMA busy_timeout={(int)wait.TotalMilliseconds}; PRAGMA foreign_keys=ON;";
            setup.ExecuteNonQuery();
            return Task.FromResult<DbConnection>(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected override Task<DbTransaction> BeginTransactionAsync(DbConnection connection, Durability durability, TimeSpan wait,
        CancellationToken cancellationToken)
    {
        var sqlite = (SqliteConnection)connection;
        // Files made unwritable under a running server (chattr +i) would kill it at the next write into the mapped -shm.
        if (_filesCheckedAt == long.MinValue || time.GetElapsedTime(_filesCheckedAt) >= FileCheckInterval)
        {
            if (SqliteFiles.Unwritable(path) is { } problem)
            {
                throw new CatalogUnavailableException(problem, refusing: true);
            }

            _filesCheckedAt = time.GetTimestamp();
        }

        if (_synchronous != durability)
        {
            using var pragma = sqlite.CreateCommand();
            pragma.CommandText = durability == Durability.Durable ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
            pragma.ExecuteNonQuery();
            _synchronous = durability;
        }

        return Task.FromResult<DbTransaction>(sqlite.BeginTransaction(deferred: false));
    }
}
