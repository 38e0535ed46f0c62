using System.Data.Common;

namespace Ccfs.Server.Catalog;

/// <summary>
/// One open transaction of the <see cref="CatalogWriter"/>, over which a batch of writes runs. Where the provider does not
/// prepare statements itself (SQLite), commands are made once per SQL text on the writer's connection and reused by every
/// batch (<paramref name="commands"/>), so a write costs its steps, not a parse; Npgsql prepares by SQL text on its own,
/// and a reused command of its loses its parameters once prepared. A failure reaches the caller as the dialect
/// classifies it (<see cref="CatalogDialect.Translate"/>).
/// </summary>
public sealed class CatalogTransaction(DbTransaction transaction, Dictionary<string, DbCommand>? commands, CatalogDialect dialect)
    : IAsyncDisposable
{
    public CatalogDialect Dialect => dialect;

    /// <summary>
    /// Seconds a command may take on this side before it is cancelled; null keeps the connection's (the write timeout).
    /// Only a migration lifts it (0: no limit), as it may rewrite a large table or wait for another node's migration.
    /// </summary>
    public int? CommandTimeout { get; set; }

    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] arguments) =>
        RunAsync(sql, arguments, command => command.ExecuteNonQueryAsync(cancellationToken));

    /// <summary>The first column of the first row; null for no row or SQL NULL.</summary>
    public Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] arguments) =>
        RunAsync(sql, arguments, async command => SqlArguments.NullIfDbNull(await command.ExecuteScalarAsync(cancellationToken)));

    public Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken,
        params (string Name, object? Value)[] arguments) =>
        RunAsync(sql, arguments, command => SqlArguments.ReadAllAsync(command, read, cancellationToken));

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException e)
        {
            throw dialect.Translate(e);
        }
    }

    public ValueTask DisposeAsync() => transaction.DisposeAsync();

    private async Task<T> RunAsync<T>(string sql, (string Name, object? Value)[] arguments, Func<DbCommand, Task<T>> run)
    {
        if (commands is null || !commands.TryGetValue(sql, out var command))
        {
            command = transaction.Connection!.CreateCommand();
            command.CommandText = sql;
            commands?.Add(sql, command);
        }

        command.Transaction = transaction;
        if (CommandTimeout is { } seconds)
        {
            command.CommandTimeout = seconds;
        }

        SqlArguments.Bind(command, arguments);
        try
        {
            return await run(command);
        }
        catch (DbException e)
        {
            throw dialect.Translate(e);
        }
        finally
        {
            if (commands is null)
            {
                await command.DisposeAsync();
            }
        }
    }
}
