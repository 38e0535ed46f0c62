using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>Another process's hold on a server's SQLite catalog, as a backup tool or <c>sqlite3</c> takes it.</summary>
internal static class SqliteWriteLock
{
    /// <summary>Takes the write lock from a connection of its own; disposing the connection lets it go.</summary>
    public static SqliteConnection Hold(CcfsFactory server)
    {
        _ = server.Services;
        var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "catalog.db")};Pooling=False");
        connection.Open();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        begin.ExecuteNonQuery();
        return connection;
    }
}
