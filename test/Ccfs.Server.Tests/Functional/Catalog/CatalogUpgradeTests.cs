using System.Net;
using System.Text.Json;
using Npgsql;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>
/// A catalog made by release 0.9.0 (<c>test/data/catalog-fixtures/0.9.0</c>, made by that release's own code) opens with
/// today's server and serves unchanged: its files, its parameter overrides, its account's sealed secret, and new uploads
/// and deletes on top. Released migrations are never edited; this is what proves it.
/// </summary>
[Trait("Storage", "Disk")]
public sealed class CatalogUpgradeTests
{
    private static readonly string Fixtures = Path.Combine(TestData.Root, "catalog-fixtures", "0.9.0");
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "fixture.json"))).RootElement;

    [Fact]
    [Trait("Catalog", "Sqlite")]
    public async Task A_sqlite_data_dir_of_0_9_0_serves_unchanged()
    {
        var dataDir = CopyOf("sqlite");
        using var server = new FixtureServer(dataDir, catalog: null);

        await AssertServesAsync(server, Expected.GetProperty("sqlite"));
    }

    [Fact]
    [Trait("Catalog", "Postgres")]
    public async Task A_postgres_schema_of_0_9_0_serves_unchanged()
    {
        var dataDir = CopyOf("postgres");
        var catalog = PostgresCluster.NewCatalog();
        Restore(catalog, File.ReadAllText(Path.Combine(dataDir, "catalog.sql")), Expected.GetProperty("postgres").GetProperty("schema").GetString()!);
        using var server = new FixtureServer(dataDir, catalog);

        await AssertServesAsync(server, Expected.GetProperty("postgres"));
    }

    private static async Task AssertServesAsync(FixtureServer server, JsonElement expected)
    {
        var account = server.Signed(expected.GetProperty("accessKey").GetString()!, expected.GetProperty("secretKey").GetString()!);
        var files = expected.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).Order(StringComparer.Ordinal).ToList();
        var sha256 = Expected.GetProperty("sha256").GetString();

        using var listed = await server.Admin().AdminAsync(HttpMethod.Get, "/admin/api/vdns/1/files");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var listing = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(files, listing.Select(f => f.GetProperty("fileName").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(listing, f =>
        {
            Assert.Equal(sha256, f.GetProperty("sha256").GetString());
            Assert.Equal(["0"], f.GetProperty("locations").EnumerateArray().Select(l => l.GetString()));
        });

        foreach (var file in files)
        {
            using var download = await account.DownloadAsync(file);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await download.Content.ReadAsByteArrayAsync())));
        }

        using var parameters = await server.Admin().AdminAsync(HttpMethod.Get, "/admin/api/parameters");
        var json = JsonDocument.Parse(await parameters.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(10, json.GetProperty("global").GetProperty("overrides").GetProperty("uploadSizeLimitMb").GetDecimal());
        var vdn1 = json.GetProperty("vdns").EnumerateArray().Single(v => v.GetProperty("vdnId").GetInt32() == 1);
        Assert.Equal("alaw,mulaw", vdn1.GetProperty("overrides").GetProperty("acceptedEncodings").GetString());

        // The account's secret, sealed by 0.9.0, still signs; new work lands beside the old.
        var stored = await account.StoreAsync(Samples.Sine, 1);
        await CcfsAnswer.AssertTripleAsync(await account.DeleteAsync(files[0]), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await account.HashAsync(stored), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await account.HashAsync(files[1]), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await account.HashAsync(files[0]), "0300011", "The file does not exist.");
    }

    private static string CopyOf(string fixture)
    {
        var target = Path.Combine(Path.GetTempPath(), "ccfs-tests", Guid.NewGuid().ToString("N"));
        var source = Path.Combine(Fixtures, fixture);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        // Git keeps no file modes but the executable bit; the server refuses a key file others may read.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(target, "master.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return target;
    }

    /// <summary>Loads a <c>pg_dump --inserts</c> of schema <paramref name="dumped"/> into the test's own schema.</summary>
    private static void Restore(string catalog, string dump, string dumped)
    {
        var schema = new NpgsqlConnectionStringBuilder(catalog).SearchPath!;
        var statements = string.Join('\n', dump.Split('\n')
            .Where(line => !line.StartsWith("CREATE SCHEMA ", StringComparison.Ordinal))
            .Select(line => line.Replace($"{dumped}.", $"{schema}.", StringComparison.Ordinal)));
        using var connection = new NpgsqlConnection(catalog);
        connection.Open();
        using var restore = new NpgsqlCommand(statements, connection);
        restore.ExecuteNonQuery();
    }

    /// <summary>A server on the fixture's copy: its own PostgreSQL schema, or the SQLite catalog whatever the run targets.</summary>
    private sealed class FixtureServer(string dataDir, string? catalog)
        : CcfsFactory(catalog is null ? new() { ["Ccfs:Catalog:Provider"] = "Sqlite" } : [], dataDir: dataDir, catalog: catalog);
}
