using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>
/// Whether a location holds any copy (<c>FileCatalog.HoldsCopiesAsync</c>) is asked at each recovery pass while a disk
/// location has no marker; the primary key of file_copies leads with the path, so without an index of its own the
/// question scans every copy when the answer is no.
/// </summary>
public sealed class HoldsCopiesPlanTests
{
    private const string Query = "SELECT EXISTS (SELECT 1 FROM file_copies WHERE location_id = '512')";

    [Fact]
    public async Task Whether_a_location_holds_copies_is_answered_from_an_index()
    {
        using var factory = new CcfsFactory();
        await factory.Signed().StoreAsync(Samples.Sine);

        Assert.Contains("file_copies_by_location", Plan(factory), StringComparison.Ordinal);
    }

    private static string Plan(CcfsFactory factory)
    {
        if (factory.CatalogConnectionString is { } postgres)
        {
            using var connection = new Npgsql.NpgsqlConnection(postgres);
            connection.Open();
            // A table of a few rows is read whole whatever the indexes: what matters is whether an index can serve it.
            using var command = new Npgsql.NpgsqlCommand($"SET enable_seqscan = off; EXPLAIN {Query};", connection);
            return Read(command.ExecuteReader());
        }

        using var sqlite = new SqliteConnection($"Data Source={Path.Combine(factory.DataDir, "catalog.db")};Pooling=False");
        sqlite.Open();
        using var plan = sqlite.CreateCommand();
        plan.CommandText = $"EXPLAIN QUERY PLAN {Query};";
        return Read(plan.ExecuteReader());
    }

    private static string Read(System.Data.Common.DbDataReader reader)
    {
        using (reader)
        {
            var lines = new List<string>();
            while (reader.Read())
            {
                lines.Add(reader.GetValue(reader.FieldCount - 1).ToString()!);
            }

            return string.Join('\n', lines);
        }
    }
}
