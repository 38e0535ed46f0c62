using System.Data;
using System.Data.Common;

namespace Ccfs.Server.Catalog;

/// <summary>
/// The <see cref="CatalogWriter"/>'s one connection, as its dialect opens it and begins a batch's transaction (how long
/// to wait for a database held by someone else, how durable the commit is). A connection that broke, or met a database
/// it could not have, is replaced at the next batch, and with it every command made on it.
/// </summary>
/// <param name="reuseCommands">Whether to keep one command per SQL text (see <see cref="CatalogTransaction"/>).</param>
public abstract class WriteConnection(CatalogDialect dialect, bool reuseCommands) : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand>? _commands = reuseCommands ? new(StringComparer.Ordinal) : null;

    // The connection and the count of abandoned batches change together, under the lock: a batch let go at its deadline
    // runs on in the background, and must never take, replace or drop the connection of a batch after it.
    private readonly Lock _lock = new();
    private DbConnection? _connection;
    private int _generation;

    public CatalogDialect Dialect => dialect;

    /// <summary>
    /// Whether the writer cuts a batch at its oldest write's timeout, by cancelling it: for a database over the network,
    /// which may stop answering mid-batch. SQLite's waits are its own busy timeout, and a cancel would interrupt it.
    /// </summary>
    public virtual bool CutsBatches => false;

    /// <summary>
    /// Begins the transaction of one batch, waiting at most <paramref name="wait"/> for the database. Called on the
    /// writer's own thread, as its batch starts; what it does after its first wait counts only while the batch is not
    /// abandoned (<see cref="Abandon"/>).
    /// </summary>
    /// <exception cref="CatalogUnavailableException">The database could not be had within the wait.</exception>
    public async Task<CatalogTransaction> BeginAsync(Durability durability, TimeSpan wait, CancellationToken cancellationToken)
    {
        int generation;
        DbConnection? connection;
        lock (_lock)
        {
            generation = _generation;
            connection = _connection is { State: ConnectionState.Open } ? _connection : null;
        }

        try
        {
            if (connection is null)
            {
                await ForgetAsync(generation);
                var opened = await OpenAsync(wait, cancellationToken);
                lock (_lock)
                {
                    if (generation == _generation)
                    {
                        _connection = connection = opened;
                    }
                }

                if (connection is null)
                {
                    // Its batch was abandoned while this connection opened: the writer has gone on without it.
                    await opened.DisposeAsync();
                    throw new OperationCanceledException("the batch was abandoned at its deadline");
                }
            }

            return new CatalogTransaction(await BeginTransactionAsync(connection, durability, wait, cancellationToken), _commands, dialect);
        }
        catch (DbException e)
        {
            await ForgetAsync(generation);
            throw dialect.Translate(e);
        }
    }

    /// <summary>Drops the connection after a batch met a database it could not have; the next batch opens a new one.</summary>
    public ValueTask InvalidateAsync() => ForgetAsync(null);

    /// <summary>
    /// Lets go of a batch still running past its deadline (<see cref="CutsBatches"/> only, whose commands are not reused):
    /// its connection is the batch's alone from now on, closed once the batch ends, however late; the next batch opens a
    /// new one at once. <paramref name="ended"/> runs then too.
    /// </summary>
    public void Abandon(Task batch, Action ended)
    {
        DbConnection? connection;
        lock (_lock)
        {
            _generation++;
            connection = _connection;
            _connection = null;
        }

        _ = batch.ContinueWith(async done =>
        {
            _ = done.Exception;
            ended();
            try
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
            catch (Exception)
            {
                // A connection the batch broke may fail to close; it is gone either way.
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Runs the writer's loop: SQLite's on a thread of its own, since its waits block; PostgreSQL's on the pool.</summary>
    public abstract Task StartLoop(Func<Task> loop);

    protected abstract Task<DbConnection> OpenAsync(TimeSpan wait, CancellationToken cancellationToken);

    protected abstract Task<DbTransaction> BeginTransactionAsync(DbConnection connection, Durability durability, TimeSpan wait,
        CancellationToken cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await ForgetAsync(null);
        GC.SuppressFinalize(this);
    }

    /// <summary>Drops the connection and its commands; with <paramref name="generation"/>, only if no batch was abandoned since.</summary>
    private async ValueTask ForgetAsync(int? generation)
    {
        DbConnection? connection;
        lock (_lock)
        {
            if (generation is { } batch && batch != _generation)
            {
                return;
            }

            connection = _connection;
            _connection = null;
        }

        foreach (var command in _commands?.Values ?? Enumerable.Empty<DbCommand>())
        {
            await command.DisposeAsync();
        }

        _commands?.Clear();
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }
}
