using Ccfs.Server.Catalog;
using Ccfs.Server.Catalog.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ccfs.Server.Tests.Unit.Catalog;

/// <summary>The SQLite catalog's one writer: group commit, a failing write failing alone, bounded waits for a held database.</summary>
[Trait("Catalog", "Sqlite")]
public sealed class CatalogWriterTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ccfs-writer", Guid.NewGuid().ToString("N"));
    private SqliteProvider _catalog = null!;

    private CatalogWriter Writer => _catalog.Database.Writer;

    private string DatabasePath => Path.Combine(_folder, "catalog.db");

    public async Task InitializeAsync()
    {
        _catalog = new SqliteProvider(DatabasePath, TimeSpan.FromMilliseconds(500), new NodeIdentity("test"), TimeProvider.System,
            NullLoggerFactory.Instance);
        await _catalog.MigrateAsync(CancellationToken.None);
        await Writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("CREATE TABLE t (v INTEGER NOT NULL);", ct));
    }

    [Fact]
    public async Task Writes_that_arrive_while_a_batch_runs_share_the_next_transaction()
    {
        using var running = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var before = (Writer.Batches, Writer.Writes);
        var first = Writer.WriteAsync(async (tx, ct) =>
        {
            // Runs on the writer's thread: while it waits, everything below queues behind it.
            running.Set();
            release.Wait(CancellationToken.None);
            return await tx.ExecuteAsync("INSERT INTO t (v) VALUES (0);", ct);
        });
        Assert.True(running.Wait(TimeSpan.FromSeconds(30)));

        var queued = Enumerable.Range(1, 100).Select(i =>
            Writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("INSERT INTO t (v) VALUES (@v);", ct, ("v", i)))).ToArray();
        release.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, Writer.Batches - before.Batches);
        Assert.Equal(101, Writer.Writes - before.Writes);
        Assert.Equal(101, Count());
    }

    [Fact]
    public async Task A_write_that_throws_fails_alone_and_the_rest_of_its_batch_is_committed()
    {
        using var running = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var gate = Writer.WriteAsync((_, _) =>
        {
            running.Set();
            release.Wait(CancellationToken.None);
            return ValueTask.CompletedTask;
        });
        Assert.True(running.Wait(TimeSpan.FromSeconds(30)));
        var writes = Enumerable.Range(1, 5).Select(i => Writer.WriteAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("INSERT INTO t (v) VALUES (@v);", ct, ("v", i));
            return i == 3 ? throw new InvalidOperationException("write 3 fails") : i;
        })).ToArray();
        release.Set();
        await gate;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => writes[2]);

        Assert.Equal("write 3 fails", failure.Message);
        var others = await Task.WhenAll(writes.Where((_, i) => i != 2));
        Assert.Equal([1, 2, 4, 5], others);
        Assert.Equal([1, 2, 4, 5], Values());
    }

    [Fact]
    public async Task A_database_another_connection_holds_is_waited_for_a_bounded_time_then_refused_and_writable_again_once_let_go()
    {
        await using (var holder = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE;";
                begin.ExecuteNonQuery();
            }

            var refused = Writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("INSERT INTO t (v) VALUES (1);", ct));

            var failure = await Assert.ThrowsAsync<CatalogUnavailableException>(() => refused.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("locked by another process", failure.Message, StringComparison.Ordinal);
        }

        await Writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("INSERT INTO t (v) VALUES (2);", ct))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([2], Values());
    }

    [Fact]
    public async Task A_database_that_stops_answering_mid_batch_fails_the_batch_and_the_writes_behind_it_within_the_timeout()
    {
        // A network database frozen, not down: the batch's first step never returns on its own.
        await using var frozen = new CatalogWriter(new FrozenConnection(), TimeSpan.FromSeconds(1), TimeProvider.System,
            NullLogger<CatalogWriter>.Instance);

        var first = frozen.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("SELECT 1;", ct));
        var behind = frozen.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("SELECT 2;", ct));

        var failure = await Assert.ThrowsAsync<CatalogUnavailableException>(() => first.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("the catalog took no write for 1 s", failure.Message);
        await Assert.ThrowsAsync<CatalogUnavailableException>(() => behind.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public async Task DisposeAsync()
    {
        await _catalog.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private int Count() => Values().Count;

    private List<int> Values()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT v FROM t ORDER BY v;";
        using var reader = command.ExecuteReader();
        var values = new List<int>();
        while (reader.Read())
        {
            values.Add(reader.GetInt32(0));
        }

        return values;
    }

    /// <summary>A connection to a database that has stopped answering: a transaction never begins until it is given up on.</summary>
    private sealed class FrozenConnection() : WriteConnection(new SqliteDialect(), reuseCommands: false)
    {
        public override bool CutsBatches => true;

        public override Task StartLoop(Func<Task> loop) => Task.Run(loop);

        protected override Task<System.Data.Common.DbConnection> OpenAsync(TimeSpan wait, CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection("Data Source=:memory:");
            connection.Open();
            return Task.FromResult<System.Data.Common.DbConnection>(connection);
        }

        protected override async Task<System.Data.Common.DbTransaction> BeginTransactionAsync(System.Data.Common.DbConnection connection,
            Durability durability, TimeSpan wait, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
