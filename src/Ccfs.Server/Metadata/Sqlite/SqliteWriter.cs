using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Metadata.Sqlite;

/// <summary>
/// The SQLite catalog's writer: one connection, on a thread of its own (<see cref="WriterThread"/>). A batch starts with
/// <c>BEGIN IMMEDIATE</c>, so the write lock is taken up front and a database held by another process is met there,
/// bounded by SQLite's busy timeout; <c>synchronous</c> is FULL for a batch holding a durable write and NORMAL otherwise
/// (in WAL mode a NORMAL commit reaches disk with the next FULL one).
/// </summary>
public sealed class SqliteWriter(string connectionString, TimeSpan writeTimeout, TimeProvider time, ILogger<SqliteWriter> logger)
    : CatalogWriter<SqliteBatch>(writeTimeout, time, logger)
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private Durability? _synchronous;

    protected override Task StartLoop(Func<Task> loop) => WriterThread.Start("ccfs catalog writer", loop);

    protected override Task<SqliteBatch> BeginAsync(Durability durability, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            var connection = _connection ??= Open(wait);
            if (_synchronous != durability)
            {
                using var pragma = connection.CreateCommand();
                pragma.CommandText = durability == Durability.Durable ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
                pragma.ExecuteNonQuery();
                _synchronous = durability;
            }

            return Task.FromResult(new SqliteBatch(connection, connection.BeginTransaction(deferred: false), _commands));
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteBusy or SqliteLocked)
        {
            throw new CatalogUnavailableException($"the catalog database is locked by another process ({e.Message.TrimEnd('.')}); "
                + $"waited {wait.TotalSeconds:0.#} s", e);
        }
        catch (SqliteException) when (_connection is { } broken && broken.State != System.Data.ConnectionState.Open)
        {
            _connection = null;
            _synchronous = null;
            ForgetCommands();
            broken.Dispose();
            throw;
        }
    }

    private SqliteConnection Open(TimeSpan wait)
    {
        var connection = new SqliteConnection(connectionString) { DefaultTimeout = SqliteDatabase.TimeoutSeconds(wait) };
        try
        {
            connection.Open();
            using var setup = connection.CreateCommand();
            // SQLite's own busy handler waits (with short sleeps) for the whole timeout; Microsoft.Data.Sqlite then finds
            // its command timeout spent and gives up at once instead of sleeping 150 ms per retry.
            setup.CommandText = $"""
                PRAGMA journal_mode=WAL;
                PRAGMA busy_timeout={(int)wait.TotalMilliseconds};
                PRAGMA foreign_keys=ON;
                CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
                """;
            setup.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void ForgetCommands()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        ForgetCommands();
        _connection?.Dispose();
    }
}
