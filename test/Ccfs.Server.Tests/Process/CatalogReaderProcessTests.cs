using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Another process may read a live SQLite catalog, as <c>sqlite3</c>, a backup or <c>scrub</c> does
/// (docs/operations.md). POSIX locks are per process and per file, and a process that closes any descriptor of a file
/// drops every lock it held on it; had the server opened and closed its catalog's files behind SQLite, the reader's
/// close would take the server for gone, checkpoint and delete the write-ahead log under it, and whatever the server
/// acknowledged after that would be lost at a crash.
/// </summary>
[Trait("Catalog", "Sqlite")]
public sealed class CatalogReaderProcessTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-reader", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Uploads_acknowledged_after_another_process_read_the_catalog_survive_a_kill()
    {
        var acknowledged = new List<string>();
        var port = ServerProcess.FreePort();
        await using (var server = Start(port))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await server.WaitUntilHealthyAsync(http);
            var client = new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);
            acknowledged.Add(await UploadAsync(client));
            using (var ready = await http.GetAsync("/readyz"))
            {
                Assert.True(ready.IsSuccessStatusCode, await ready.Content.ReadAsStringAsync());
            }

            // Another process opens the catalog, reads and closes it.
            Assert.Single(FileNames());
            Assert.True(File.Exists(Path.Combine(_dataDir, "catalog.db-wal")), "the reader deleted the server's write-ahead log");
            Assert.DoesNotContain(OpenFiles(server.Id), f => f.EndsWith(" (deleted)", StringComparison.Ordinal));

            for (var i = 0; i < 3; i++)
            {
                acknowledged.Add(await UploadAsync(client));
            }

            await server.KillAsync();
        }

        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), FileNames().Order(StringComparer.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<string> UploadAsync(SignedClient client)
    {
        var answer = await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine), "0", "success");
        return answer.GetProperty("resultData").GetProperty("fileName").GetString()!;
    }

    /// <summary>The catalog's files, read by this process (not the server's) with a connection of its own, closed after.</summary>
    private List<string> FileNames()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "catalog.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT file_name FROM files;";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>The catalog files the server process holds open, as the kernel names them (a deleted one ends in " (deleted)").</summary>
    private static IEnumerable<string> OpenFiles(int pid) =>
        new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos().Select(f => f.LinkTarget ?? "").Where(t => t.Contains("catalog.db", StringComparison.Ordinal));

    private ServerProcess Start(int port) => ServerProcess.Start(new Dictionary<string, string>
    {
        ["Ccfs__DataDir"] = _dataDir,
    }.WithTestAccounts(admin: false, CcfsFactory.Vdn), "--urls", $"http://127.0.0.1:{port}");
}
