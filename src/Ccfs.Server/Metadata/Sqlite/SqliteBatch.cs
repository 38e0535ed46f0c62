using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Metadata.Sqlite;

/// <summary>
/// One transaction of <see cref="SqliteWriter"/>. Statements are prepared once per SQL text and reused by every batch,
/// so a write costs its steps, not a parse.
/// </summary>
public sealed class SqliteBatch(SqliteConnection connection, SqliteTransaction transaction, Dictionary<string, SqliteCommand> commands)
    : ICatalogBatch
{
    public int Execute(string sql, params (string Name, object? Value)[] parameters) => Command(sql, parameters).ExecuteNonQuery();

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters) => Command(sql, parameters).ExecuteScalar();

    public SqliteDataReader Query(string sql, params (string Name, object? Value)[] parameters) => Command(sql, parameters).ExecuteReader();

    public Task CommitAsync(CancellationToken cancellationToken)
    {
        transaction.Commit();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        transaction.Dispose();
        return ValueTask.CompletedTask;
    }

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            commands[sql] = command;
        }

        command.Transaction = transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
