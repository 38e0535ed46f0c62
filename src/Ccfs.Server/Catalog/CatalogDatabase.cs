using System.Data.Common;
using System.Globalization;

namespace Ccfs.Server.Catalog;

/// <summary>
/// The database that holds the catalog, run-time parameters, accounts, the audit trail and the replay cache, whichever
/// the provider: every write goes through <see cref="Writer"/>, the one writer with group commit; reads take pooled
/// connections of their own and run alongside it. Each store is written once against this class.
/// </summary>
public sealed class CatalogDatabase(CatalogDialect dialect, DbDataSource reads, CatalogWriter writer) : IAsyncDisposable, IDisposable
{
    private int _disposed;

    public CatalogDialect Dialect => dialect;

    public CatalogWriter Writer => writer;

    /// <summary>Every row of a read, on a pooled connection.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        params (string Name, object? Value)[] arguments)
    {
        try
        {
            await using var connection = await reads.OpenConnectionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            SqlArguments.Bind(command, arguments);
            return await SqlArguments.ReadAllAsync(command, read, cancellationToken);
        }
        catch (DbException e)
        {
            throw dialect.Translate(e);
        }
    }

    /// <summary>The first column of the first row of a read; null for no row or SQL NULL.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] arguments)
    {
        var rows = await QueryAsync(sql, r => SqlArguments.NullIfDbNull(r.GetValue(0)), cancellationToken, arguments);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>
    /// Deletes the rows of <paramref name="table"/> (keyed by the columns <paramref name="key"/>) whose
    /// <c>at_ms</c> is before <paramref name="before"/>, a chunk per write, so a large purge never holds the writer past a
    /// write's bound nor keeps a huge transaction open; a purge stopped half-way leaves only whole chunks done. Nodes
    /// purging at once take different rows (the rows of a chunk another node is deleting are skipped, not waited for):
    /// a chunk that waited for them would find them gone, delete nothing and end its purge, though more rows were due.
    /// A chunk short of full therefore means every row left is in another node's chunk, which that node deletes.
    /// </summary>
    /// <returns>How many rows went.</returns>
    public async Task<int> PurgeBeforeAsync(string table, string key, DateTimeOffset before, CancellationToken cancellationToken)
    {
        const int chunk = 5000;
        var sql = $"""
            DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} WHERE at_ms < @before LIMIT {chunk}{dialect.ForUpdateSkipLocked});
            """;
        var total = 0;
        int removed;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            removed = await writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync(sql, ct, ("before", before.ToUnixTimeMilliseconds())),
                Durability.Deferred);
            total += removed;
        }
        while (removed == chunk);

        return total;
    }

    /// <summary>
    /// Creates or upgrades the schema in one transaction (nodes starting together take turns, by the dialect's lock); a
    /// catalog newer than this ccfs knows refuses the start.
    /// </summary>
    /// <returns>The catalog's version before and after (equal when it was up to date; 0 before when it was created).</returns>
    public Task<(int From, int To)> MigrateAsync(CancellationToken cancellationToken) => writer.WriteUnboundedAsync(async (transaction, ct) =>
    {
        await dialect.BeginMigrationAsync(transaction, ct);
        await transaction.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", ct);
        var version = Convert.ToInt32(await transaction.ScalarAsync("SELECT coalesce(max(version), 0) FROM schema_version;", ct),
            CultureInfo.InvariantCulture);
        var migrations = dialect.Migrations;
        if (version > migrations.Count)
        {
            throw new Hosting.CcfsStartupException($"the {dialect.Name} catalog is at version {version}, newer than this ccfs knows "
                + $"({migrations.Count}); run the newer version, or restore a matching backup");
        }

        for (var next = version; next < migrations.Count; next++)
        {
            await transaction.ExecuteAsync(migrations[next], ct);
            await transaction.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version);", ct, ("version", next + 1));
        }

        return (version, migrations.Count);
    });

    /// <summary>Marks a change to accounts, parameters or IP locks, in its own transaction: every node reloads them.</summary>
    public async Task AnnounceChangeAsync(CatalogTransaction transaction, CancellationToken cancellationToken)
    {
        await transaction.ExecuteAsync("UPDATE change_version SET version = version + 1 WHERE id = 1;", cancellationToken);
        await dialect.AnnounceChangeAsync(transaction, cancellationToken);
    }

    /// <inheritdoc cref="CatalogProvider.Dispose"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops the writer (committing what is queued), then the reads; once, whoever asks first (its provider, or the container).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await writer.DisposeAsync();
            await reads.DisposeAsync();
        }
    }
}
