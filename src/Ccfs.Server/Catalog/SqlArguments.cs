using System.Data.Common;

namespace Ccfs.Server.Catalog;

/// <summary>Binds <c>(name, value)</c> pairs to a command's <c>@name</c> parameters; null binds SQL NULL.</summary>
internal static class SqlArguments
{
    public static void Bind(DbCommand command, ReadOnlySpan<(string Name, object? Value)> arguments)
    {
        command.Parameters.Clear();
        foreach (var (name, value) in arguments)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }

    /// <summary>Reads every row with <paramref name="read"/>.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    public static object? NullIfDbNull(object? value) => value is DBNull ? null : value;
}
