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
    private DbConnection? _connection;

    // Counts abandoned batches: a batch let go at its deadline may still be opening a connection, which it must not keep.
    private int _generation;

    public CatalogDialect Dialect => dialect;

    /// <summary>
    /// Whether the writer cuts a batch at its oldest write's timeout, by cancelling it: for a database over the network,
    /// which may stop answering mid-batch. SQLite's waits are its own busy timeout, and a cancel would interrupt it.
    /// </summary>
    public virtual bool CutsBatches => false;

    /// <summary>Begins the transaction of one batch, waiting at most <paramref name="wait"/> for the database.</summary>
    /// <exception cref="CatalogUnavailableException">The database could not be had within the wait.</exception>
    public async Task<CatalogTransaction> BeginAsync(Durability durability, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            if (_connection is not { State: ConnectionState.Open })
            {
                await ForgetAsync();
                var generation = Volatile.Read(ref _generation);
                var opened = await OpenAsync(wait, cancellationToken);
                if (generation != Volatile.Read(ref _generation))
                {
                    // Its batch was abandoned while this connection opened: the writer has gone on without it.
                    await opened.DisposeAsync();
                    throw new OperationCanceledException("the batch was abandoned at its deadline");
                }

                _connection = opened;
            }

            return new CatalogTransaction(await BeginTransactionAsync(_connection, durability, wait, cancellationToken), _commands, dialect);
        }
        catch (DbException e)
        {
            await ForgetAsync();
            throw dialect.Translate(e);
        }
    }

    /// <summary>Drops the connection after a batch met a database it could not have; the next batch opens a new one.</summary>
    public ValueTask InvalidateAsync() => ForgetAsync();

    /// <summary>
    /// Lets go of a batch still running past its deadline (<see cref="CutsBatches"/> only, whose commands are not reused):
    /// its connection is the batch's alone from now on, closed once the batch ends, however late; the next batch opens a
    /// new one at once.
    /// </summary>
    public void Abandon(Task batch)
    {
        Interlocked.Increment(ref _generation);
        var connection = _connection;
        _connection = null;
        _ = batch.ContinueWith(async ended =>
        {
            _ = ended.Exception;
            if (connection is not null)
            {
                await connection.DisposeAsync();
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
        await ForgetAsync();
        GC.SuppressFinalize(this);
    }

    private async ValueTask ForgetAsync()
    {
        foreach (var command in _commands?.Values ?? Enumerable.Empty<DbCommand>())
        {
            await command.DisposeAsync();
        }

        _commands?.Clear();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }
}
