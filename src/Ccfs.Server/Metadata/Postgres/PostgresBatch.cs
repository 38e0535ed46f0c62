using Npgsql;

namespace Ccfs.Server.Metadata.Postgres;

/// <summary>One transaction of <see cref="PostgresWriter"/>, on its one connection; statements are prepared automatically.</summary>
public sealed class PostgresBatch(NpgsqlConnection connection, NpgsqlTransaction transaction) : ICatalogBatch
{
    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (NpgsqlException e) when (PostgresDatabase.IsUnavailable(e))
        {
            throw PostgresDatabase.Unavailable(e);
        }
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        try
        {
            var value = await command.ExecuteScalarAsync(cancellationToken);
            return value is DBNull ? null : value;
        }
        catch (NpgsqlException e) when (PostgresDatabase.IsUnavailable(e))
        {
            throw PostgresDatabase.Unavailable(e);
        }
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        catch (NpgsqlException e) when (PostgresDatabase.IsUnavailable(e))
        {
            throw PostgresDatabase.Unavailable(e);
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await transaction.CommitAsync(cancellationToken);
        }
        catch (NpgsqlException e) when (PostgresDatabase.IsUnavailable(e))
        {
            throw PostgresDatabase.Unavailable(e);
        }
    }

    public ValueTask DisposeAsync() => transaction.DisposeAsync();

    private NpgsqlCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        PostgresDatabase.AddParameters(command, parameters);
        return command;
    }
}
