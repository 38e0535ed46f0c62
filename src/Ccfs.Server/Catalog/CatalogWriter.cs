using System.Threading.Channels;

namespace Ccfs.Server.Catalog;

/// <summary>
/// The one writer of a catalog, with group commit: writes queue up, and each batch (every write queued while the
/// previous commit was in flight, up to <see cref="MaxBatch"/>) runs in one transaction, so one fsync serves them
/// all; each caller is answered once its own batch is committed. A write that throws rolls its batch back, and the
/// batch's writes are then run one transaction each, so it fails alone. A write that cannot start within the wait
/// bound (another process holds the database) fails with <see cref="CatalogUnavailableException"/>. Callers never
/// block: they await their write.
/// </summary>
public sealed partial class CatalogWriter : IAsyncDisposable
{
    public const int MaxBatch = 256;

    /// <summary>The least a batch is given, however long its oldest write was queued: enough for a database that answers.</summary>
    private static readonly TimeSpan MinimumBatchTime = TimeSpan.FromMilliseconds(500);

    private readonly Channel<QueuedWrite> _queue = Channel.CreateUnbounded<QueuedWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    private readonly WriteConnection _connection;

    public CatalogWriter(WriteConnection connection, TimeSpan writeTimeout, TimeProvider time, ILogger<CatalogWriter> logger)
    {
        _connection = connection;
        WriteTimeout = writeTimeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>How long a write may wait, queued or for the database, before it fails as unavailable.</summary>
    public TimeSpan WriteTimeout { get; }

    /// <summary>Batches committed so far, and the writes they carried; their ratio is the group-commit factor.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public long Writes => Interlocked.Read(ref _writes);

    public long Unavailable => Interlocked.Read(ref _unavailable);

    private long _batches;
    private long _writes;
    private long _unavailable;

    /// <summary>Queues <paramref name="work"/> for the next batch and completes with its result once that batch is committed.</summary>
    public Task<T> WriteAsync<T>(Func<CatalogTransaction, CancellationToken, ValueTask<T>> work, Durability durability = Durability.Durable) =>
        Enqueue(new QueuedWrite<T>(work, durability, _time.GetTimestamp(), bounded: true));

    /// <summary>
    /// <see cref="WriteAsync{T}"/> for a write that may take as long as it needs (a migration, which may rewrite a large
    /// table or wait for another node's): its batch is not cut at <see cref="WriteTimeout"/>.
    /// </summary>
    public Task<T> WriteUnboundedAsync<T>(Func<CatalogTransaction, CancellationToken, ValueTask<T>> work) =>
        Enqueue(new QueuedWrite<T>(work, Durability.Durable, _time.GetTimestamp(), bounded: false));

    private Task<T> Enqueue<T>(QueuedWrite<T> write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            return Task.FromException<T>(new CatalogUnavailableException("the catalog writer has stopped"));
        }

        EnsureStarted();
        return write.Task;
    }

    /// <inheritdoc cref="WriteAsync{T}"/>
    public Task WriteAsync(Func<CatalogTransaction, CancellationToken, ValueTask> work, Durability durability = Durability.Durable) =>
        WriteAsync<bool>(async (batch, ct) =>
        {
            await work(batch, ct);
            return true;
        }, durability);

    private void EnsureStarted()
    {
        if (_loop is null)
        {
            lock (_queue)
            {
                _loop ??= _connection.StartLoop(RunAsync);
            }
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<QueuedWrite>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
                {
                    batch.Add(write);
                }

                await ExecuteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }

        foreach (var write in batch)
        {
            write.Fail(new CatalogUnavailableException("the catalog writer has stopped"));
        }

        while (_queue.Reader.TryRead(out var left))
        {
            left.Fail(new CatalogUnavailableException("the catalog writer has stopped"));
        }
    }

    private async Task ExecuteAsync(List<QueuedWrite> batch)
    {
        // Writes that waited past their bound are answered now, untried, so a queue behind a held database drains.
        batch.RemoveAll(write =>
        {
            if (_time.GetElapsedTime(write.QueuedAt) < WriteTimeout)
            {
                return false;
            }

            write.Fail(TookNoWrite());
            Interlocked.Increment(ref _unavailable);
            return true;
        });
        if (batch.Count == 0)
        {
            return;
        }

        var durability = batch.Exists(w => w.Durability == Durability.Durable) ? Durability.Durable : Durability.Deferred;
        try
        {
            await RunInOneTransactionAsync(batch, durability);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _writes, batch.Count);
            foreach (var write in batch)
            {
                write.Complete();
            }
        }
        catch (Exception e) when (batch.Count > 1 && e is not CatalogUnavailableException)
        {
            // One write failed and took its batch down: run each alone, so only the failing one fails.
            LogBatchSplit(_logger, e, batch.Count);
            foreach (var write in batch)
            {
                try
                {
                    await RunInOneTransactionAsync([write], write.Durability);
                    Interlocked.Increment(ref _batches);
                    Interlocked.Increment(ref _writes);
                    write.Complete();
                }
                catch (Exception alone)
                {
                    if (alone is CatalogUnavailableException)
                    {
                        Interlocked.Increment(ref _unavailable);
                    }

                    write.Fail(alone);
                }
            }
        }
        catch (Exception e)
        {
            if (e is CatalogUnavailableException unavailable)
            {
                LogUnavailable(_logger, batch.Count, e.Message);
                Interlocked.Add(ref _unavailable, batch.Count);
                if (!unavailable.Refusing)
                {
                    // A connection that met a database it could not have may be the broken part: the next batch opens another.
                    await _connection.InvalidateAsync();
                }
            }

            foreach (var write in batch)
            {
                write.Fail(e);
            }
        }
    }

    /// <summary>
    /// Runs the writes in one transaction. Where the connection says so (<see cref="WriteConnection.CutsBatches"/>), a
    /// batch of bounded writes is cut at what is left of its oldest write's <see cref="WriteTimeout"/>: a database that
    /// stops answering mid-batch (frozen, not down) would otherwise make each step wait its own timeout, and the writes
    /// queued behind the batch wait for it and then for their own.
    /// </summary>
    private async Task RunInOneTransactionAsync(List<QueuedWrite> writes, Durability durability)
    {
        if (!_connection.CutsBatches || writes.Exists(w => !w.Bounded))
        {
            await using var transaction = await _connection.BeginAsync(durability, WriteTimeout, _stopping.Token);
            foreach (var write in writes)
            {
                await write.RunAsync(transaction, _stopping.Token);
            }

            await transaction.CommitAsync(_stopping.Token);
            return;
        }

        var left = WriteTimeout - writes.Max(w => _time.GetElapsedTime(w.QueuedAt));
        left = left < MinimumBatchTime ? MinimumBatchTime : left;
        // Measured on the real clock: a test's fake clock jumping ahead must not cut a batch short. Disposed once the batch
        // has ended, which an abandoned one does late.
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        deadline.CancelAfter(left);
        var batch = RunCutAsync(writes, durability, left, deadline.Token);
        try
        {
            // The database client's own cancellation may wait much longer on a server that is frozen rather than down (a
            // cancel request it cannot deliver; an open that does not heed the token): the batch is let go at its deadline.
            // Awaited on a timer of its own, not on the deadline's token: that token's callbacks run the client's
            // cancellation, which Npgsql performs synchronously, and a wait queued behind it was released seconds late.
            await batch.WaitAsync(left, _stopping.Token);
        }
        catch (TimeoutException) when (!_stopping.IsCancellationRequested)
        {
            if (batch.IsCompleted)
            {
                // Ended as the deadline came: its own outcome stands (committed, or its error as RunCutAsync judged it).
                await batch;
                return;
            }

            _connection.Abandon(batch, deadline.Dispose);
            throw TookNoWrite();
        }
        finally
        {
            if (batch.IsCompleted)
            {
                deadline.Dispose();
            }
        }
    }

    private async Task RunCutAsync(List<QueuedWrite> writes, Durability durability, TimeSpan left, CancellationToken deadline)
    {
        try
        {
            await using var transaction = await _connection.BeginAsync(durability, left, deadline);
            foreach (var write in writes)
            {
                await write.RunAsync(transaction, deadline);
            }

            await transaction.CommitAsync(deadline);
        }
        catch (Exception e) when (e is not CatalogUnavailableException && deadline.IsCancellationRequested)
        {
            // Judged here, as the batch fails: cut by its deadline it is unavailable, not a write to run alone. A batch that
            // failed before its deadline keeps its own error, whenever the writer looks at it.
            throw TookNoWrite(e);
        }
    }

    private CatalogUnavailableException TookNoWrite(Exception? cause = null) =>
        new($"the catalog took no write for {WriteTimeout.TotalSeconds:0.#} s", cause);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            // Writes already queued are committed before the writer stops; a loop stuck on a held database is cut short.
            if (await Task.WhenAny(loop, Task.Delay(WriteTimeout + TimeSpan.FromSeconds(1), _time)) != loop)
            {
                await _stopping.CancelAsync();
                await loop;
            }
        }

        _stopping.Dispose();
        await _connection.DisposeAsync();
    }

    [LoggerMessage(LogLevel.Warning, "A catalog write failed and took its batch of {Count} down; each write is retried on its own")]
    private static partial void LogBatchSplit(ILogger logger, Exception exception, int count);

    [LoggerMessage(LogLevel.Error, "The catalog is unavailable; {Count} write(s) answered 503: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, int count, string reason);

    private abstract class QueuedWrite(Durability durability, long queuedAt, bool bounded)
    {
        public Durability Durability { get; } = durability;

        public long QueuedAt { get; } = queuedAt;

        public bool Bounded { get; } = bounded;

        public abstract ValueTask RunAsync(CatalogTransaction batch, CancellationToken cancellationToken);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class QueuedWrite<T>(Func<CatalogTransaction, CancellationToken, ValueTask<T>> work, Durability durability, long queuedAt,
        bool bounded) : QueuedWrite(durability, queuedAt, bounded)
    {
        // Answered off the writer's thread, so a caller's continuation never runs inside the next batch.
        private readonly TaskCompletionSource<T> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _answer.Task;

        public override async ValueTask RunAsync(CatalogTransaction batch, CancellationToken cancellationToken) =>
            _result = await work(batch, cancellationToken);

        public override void Complete() => _answer.TrySetResult(_result);

        public override void Fail(Exception exception) => _answer.TrySetException(exception);
    }
}
