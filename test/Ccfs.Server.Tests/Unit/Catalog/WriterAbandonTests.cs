using System.Data.Common;
using Ccfs.Server.Catalog;
using Ccfs.Server.Catalog.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ccfs.Server.Tests.Unit.Catalog;

/// <summary>
/// A batch the writer let go at its deadline runs on in the background (its client may not heed the cancellation); it
/// must never take or drop the connection of a batch after it. Found by a review: an abandoned open that failed late
/// disposed the next batch's connection in the middle of its transaction. Nor may the client's cancellation delay the
/// writer's answer: Npgsql sends its cancel request synchronously, inside the token's callback.
/// </summary>
public sealed class WriterAbandonTests
{
    [Fact]
    public async Task An_abandoned_open_that_fails_late_leaves_the_next_batchs_connection_alone()
    {
        var connection = new LateFailingOpen();
        await using var writer = new CatalogWriter(connection, TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<CatalogWriter>.Instance);

        // Batch A: its open hangs (a connect to a host that does not answer) and is let go at the deadline.
        var first = writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("SELECT 1;", ct));
        await Assert.ThrowsAsync<CatalogUnavailableException>(() => first.WaitAsync(TimeSpan.FromSeconds(30)));

        // Batch B: the database answers again; B opens a fresh connection and is mid-transaction when A's open finally fails.
        using var inside = new SemaphoreSlim(0);
        using var goOn = new SemaphoreSlim(0);
        var second = writer.WriteAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("CREATE TEMP TABLE t (v INTEGER);", ct);
            inside.Release();
            await goOn.WaitAsync(ct);
            return await tx.ExecuteAsync("INSERT INTO t VALUES (1);", ct);
        });
        Assert.True(await inside.WaitAsync(TimeSpan.FromSeconds(30)));
        connection.FailTheHungOpen();
        await Task.Delay(300);
        goOn.Release();

        var error = await Record.ExceptionAsync(() => second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(error is null, $"batch B failed on a working database: {error}");
    }

    [Fact]
    public async Task A_write_is_answered_at_its_deadline_while_the_clients_cancellation_still_blocks_its_thread()
    {
        await using var writer = new CatalogWriter(new LateFailingOpen(opensThatHang: 0), TimeSpan.FromSeconds(1), TimeProvider.System,
            NullLogger<CatalogWriter>.Instance);
        // Not disposed: a cancellation callback still waiting on it when the test ends must not throw on the timer's thread.
        var cancelSent = new ManualResetEventSlim();
        var thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var write = writer.WriteAsync(async (tx, ct) =>
            {
                // Past the writer's own start of its wait, as a statement of a batch is; then the server freezes.
                await Task.Delay(100, CancellationToken.None);
                ct.Register(() => cancelSent.Wait());
                await thawed.Task;
            });

            await Assert.ThrowsAsync<CatalogUnavailableException>(() => write.WaitAsync(TimeSpan.FromSeconds(20)));
        }
        finally
        {
            cancelSent.Set();
            thawed.TrySetResult();
        }
    }

    private sealed class LateFailingOpen(int opensThatHang = 1) : WriteConnection(new SqliteDialect(), reuseCommands: false)
    {
        private readonly TaskCompletionSource _hung = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _opens;

        public override bool CutsBatches => true;

        public void FailTheHungOpen() => _hung.TrySetResult();

        public override Task StartLoop(Func<Task> loop) => Task.Run(loop);

        protected override async Task<DbConnection> OpenAsync(TimeSpan wait, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _opens) <= opensThatHang)
            {
                // Npgsql's open ignores the token and fails at its own Timeout with an NpgsqlException (a DbException).
                await _hung.Task;
                throw new SqliteException("connect timed out", 10);
            }

            var connection = new SqliteConnection("Data Source=:memory:");
            await connection.OpenAsync(cancellationToken);
            return connection;
        }

        protected override async Task<DbTransaction> BeginTransactionAsync(DbConnection connection, Durability durability, TimeSpan wait,
            CancellationToken cancellationToken) => await connection.BeginTransactionAsync(cancellationToken);
    }
}
