using Ccfs.Server.Metadata;
using Ccfs.Server.Metadata.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ccfs.Server.Tests.Catalog;

/// <summary>The SQLite catalog's one writer: group commit, a failing write failing alone, bounded waits for a held database.</summary>
[Trait("Catalog", "Sqlite")]
public sealed class CatalogWriterTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ccfs-writer", Guid.NewGuid().ToString("N"));
    private SqliteDatabase _database = null!;

    private string DatabasePath => Path.Combine(_folder, "catalog.db");

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(DatabasePath, TimeSpan.FromMilliseconds(500), TimeProvider.System, NullLoggerFactory.Instance);
        await _database.MigrateAsync(CancellationToken.None);
        await _database.Writer.WriteAsync((batch, _) =>
        {
            batch.Execute("CREATE TABLE t (v INTEGER NOT NULL);");
            return ValueTask.CompletedTask;
        });
    }

    [Fact]
    public async Task Writes_that_arrive_while_a_batch_runs_share_the_next_transaction()
    {
        using var running = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var before = (_database.Writer.Batches, _database.Writer.Writes);
        var first = _database.Writer.WriteAsync((batch, _) =>
        {
            // Runs on the writer's thread: while it waits, everything below queues behind it.
            running.Set();
            release.Wait(CancellationToken.None);
            return ValueTask.FromResult(batch.Execute("INSERT INTO t (v) VALUES (0);"));
        });
        Assert.True(running.Wait(TimeSpan.FromSeconds(30)));

        var queued = Enumerable.Range(1, 100).Select(i =>
            _database.Writer.WriteAsync((batch, _) => ValueTask.FromResult(batch.Execute("INSERT INTO t (v) VALUES ($v);", ("$v", i))))).ToArray();
        release.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, _database.Writer.Batches - before.Batches);
        Assert.Equal(101, _database.Writer.Writes - before.Writes);
        Assert.Equal(101, Count());
    }

    [Fact]
    public async Task A_write_that_throws_fails_alone_and_the_rest_of_its_batch_is_committed()
    {
        using var running = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var gate = _database.Writer.WriteAsync((_, _) =>
        {
            running.Set();
            release.Wait(CancellationToken.None);
            return ValueTask.CompletedTask;
        });
        Assert.True(running.Wait(TimeSpan.FromSeconds(30)));
        var writes = Enumerable.Range(1, 5).Select(i => _database.Writer.WriteAsync((batch, _) =>
        {
            batch.Execute("INSERT INTO t (v) VALUES ($v);", ("$v", i));
            return i == 3 ? throw new InvalidOperationException("write 3 fails") : ValueTask.FromResult(i);
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

            var refused = _database.Writer.WriteAsync((batch, _) => ValueTask.FromResult(batch.Execute("INSERT INTO t (v) VALUES (1);")));

            var failure = await Assert.ThrowsAsync<CatalogUnavailableException>(() => refused.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("locked by another process", failure.Message, StringComparison.Ordinal);
        }

        await _database.Writer.WriteAsync((batch, _) => ValueTask.FromResult(batch.Execute("INSERT INTO t (v) VALUES (2);")))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([2], Values());
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
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
}
