using System.Net;
using Ccfs.Server.Catalog;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Ccfs.Tests;

/// <summary>
/// The real server, in-process, on a fresh data dir. Two accounts: <see cref="AccessKey"/> bound to VDN 53 and 55,
/// and <see cref="OtherAccessKey"/> bound to VDN 54. Time is a <see cref="FakeTimeProvider"/> tests can move.
/// </summary>
public class CcfsFactory : WebApplicationFactory<Program>
{
    public const string AccessKey = "test-ak";
    public const string SecretKey = "test-sk-0123456789";
    public const string OtherAccessKey = "other-ak";
    public const string OtherSecretKey = "other-sk-0123456789";
    public const int Vdn = 53;
    public const int OtherVdn = 54;

    /// <summary>A header the test server turns into the client address, so tests of the IP lock stay apart.</summary>
    public const string ClientIpHeader = "X-Test-Client-Ip";

    private readonly Dictionary<string, string?> _settings;
    private readonly TestLocations _locations;
    private bool _keepDataDir;

    public CcfsFactory() : this([])
    {
    }

    protected CcfsFactory(Dictionary<string, string?> settings, bool withAccounts = true, string? dataDir = null, string? catalog = null,
        IReadOnlyDictionary<string, TestBucket>? buckets = null)
    {
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "ccfs-tests", Guid.NewGuid().ToString("N"));
        // The back-end a whole run targets (CCFS_TEST_CATALOG=postgres), unless a test names its own catalog.
        if (!settings.ContainsKey("Ccfs:Catalog:Provider") && (catalog is not null || TestBackends.Catalog == TestBackends.Postgres))
        {
            CatalogConnectionString = catalog ?? PostgresCluster.NewCatalog();
        }

        _settings = new()
        {
            ["Ccfs:DataDir"] = DataDir,
            // Tests of refusals send many bad requests quickly; the lock and flow control have tests of their own.
            ["Ccfs:Auth:IpLock:MaxFailures"] = "100000",
            ["Ccfs:Limits:Download:PermitLimit"] = "100000",
            ["Ccfs:Limits:Hash:PermitLimit"] = "100000",
            // A test server listening with Kestrel must not leave its certificate in the real ~/.ccfs.
            ["Ccfs:Tls:ShareDevelopmentCertificate"] = "false",
        };
        if (withAccounts)
        {
            _settings["Ccfs:Accounts:0:AccessKey"] = AccessKey;
            _settings["Ccfs:Accounts:0:SecretKey"] = SecretKey;
            _settings["Ccfs:Accounts:0:VdnIds:0"] = Vdn.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _settings["Ccfs:Accounts:0:VdnIds:1"] = "55";
            _settings["Ccfs:Accounts:1:AccessKey"] = OtherAccessKey;
            _settings["Ccfs:Accounts:1:SecretKey"] = OtherSecretKey;
            _settings["Ccfs:Accounts:1:VdnIds:0"] = OtherVdn.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _settings["Ccfs:Accounts:2:AccessKey"] = AdminAccessKey;
            _settings["Ccfs:Accounts:2:SecretKey"] = AdminSecretKey;
            _settings["Ccfs:Accounts:2:VdnIds:0"] = "1";
            _settings["Ccfs:Accounts:2:Admin"] = "true";
        }

        if (CatalogConnectionString is not null)
        {
            _settings["Ccfs:Catalog:Provider"] = "Postgres";
            _settings["Ccfs:Catalog:ConnectionString"] = CatalogConnectionString;
        }

        // A null value removes a default of this factory, so the server's own default applies.
        foreach (var (key, value) in settings)
        {
            if (value is null)
            {
                _settings.Remove(key);
            }
            else
            {
                _settings[key] = value;
            }
        }

        _locations = new(DataDir);
        if (TestBackends.UsesS3)
        {
            _locations.PlaceInS3(_settings, buckets);
            foreach (var (key, value) in _locations.S3Settings)
            {
                _settings[key] = value;
            }
        }
    }

    public string DataDir { get; }

    /// <summary>The PostgreSQL catalog (a schema of its own) this server uses, or null for the default SQLite one.</summary>
    public string? CatalogConnectionString { get; }

    /// <summary>The access key of the admin account every test server has.</summary>
    public const string AdminAccessKey = "admin-ak";
    public const string AdminSecretKey = "admin-sk-0123456789";

    /// <summary>A server of its own, for a test that needs settings no other test shares.</summary>
    public static CcfsFactory With(Dictionary<string, string?> settings, bool withAccounts = true) => new(settings, withAccounts);

    /// <summary>Stops <paramref name="other"/> (keeping its data) and starts a server on the same data dir and catalog, as a restart does.</summary>
    public static CcfsFactory RestartOf(CcfsFactory other, Dictionary<string, string?>? settings = null)
    {
        other.StopKeepingData();
        return new(settings ?? [], dataDir: other.DataDir, catalog: other.CatalogConnectionString, buckets: other.Buckets);
    }

    /// <summary>
    /// The stopped server's host may still be disposing on its own thread (the program's <c>await using</c> and the
    /// factory's dispose race, and the loser returns at once), and a SQLite data dir belongs to one server: the next one
    /// would refuse to start. Waits, bounded, until the data dir's lock is free.
    /// </summary>
    private static void WaitForDataDirLockRelease(string dataDir)
    {
        var path = Path.Combine(dataDir, "ccfs.lock");
        for (var attempt = 0; attempt < 200 && File.Exists(path); attempt++)
        {
            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    return;
                }
            }
            catch (IOException)
            {
                Thread.Sleep(50);
            }
        }
    }

    public SignedClient Admin() => Signed(AdminAccessKey, AdminSecretKey);

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>The folder of a disk location; only tests about disk locations (<c>Storage=Disk</c>) look into it.</summary>
    public string LocationRoot(string id = "0") => _locations.Root(id);

    /// <summary>The configured location ids, in their configured order.</summary>
    public IReadOnlyList<string> LocationIds => Services.GetRequiredService<LocationSet>().Ids;

    /// <summary>The bucket of each location a run against S3 placed there, by location id, for a restart to pass on.</summary>
    protected IReadOnlyDictionary<string, TestBucket> Buckets => _locations.Buckets;

    /// <summary>The bucket a run against S3 gave location <paramref name="id"/>, or null if that location is on disk.</summary>
    public TestBucket? BucketOf(string id = "0") => _locations.BucketOf(id);

    /// <summary>The locations that hold a copy of a stored file, given by the name the client got (<c>Y:/…</c>).</summary>
    public IReadOnlyList<string> LocationsHolding(string fileName) => [.. LocationIds.Where(id => HasCopy(fileName, id))];

    /// <summary>Whether location <paramref name="id"/> holds the file the client got as <paramref name="fileName"/> (<c>Y:/…</c>).</summary>
    public bool HasCopy(string fileName, string id = "0") => ReadStored(fileName[3..], id) is not null;

    /// <summary>The bytes location <paramref name="id"/> holds for <paramref name="fileName"/> (<c>Y:/…</c>), or null if none.</summary>
    public byte[]? ReadCopy(string fileName, string id = "0") => ReadStored(fileName[3..], id);

    /// <summary>The bytes at <paramref name="relativePath"/> (<c>voice/53/…</c>) in a location, on disk or in its bucket; null if none.</summary>
    public byte[]? ReadStored(string relativePath, string id = "0") => _locations.Read(relativePath, id);

    /// <summary>Places a file in a location past ccfs, as a recording system or an operator does (folders made as needed).</summary>
    public void PutStored(string relativePath, byte[] content, string id = "0") => _locations.Put(relativePath, content, id);

    /// <summary>
    /// Makes an empty folder in a location past ccfs; in S3, where folders do not exist, the zero-byte <c>folder/</c>
    /// marker object a console makes, which ccfs counts as no file.
    /// </summary>
    public void MakeFolder(string relativePath, string id = "0") => _locations.MakeFolder(relativePath, id);

    /// <summary>Removes a file from a location past ccfs, as a lost disk or a deleted object does.</summary>
    public void DeleteStored(string relativePath, string id = "0") => _locations.Delete(relativePath, id);

    /// <summary>Takes a location away under the running server: its folder on disk, or its bucket in S3.</summary>
    public void BreakLocation(string id = "0") => _locations.Break(id);

    public SignedClient Signed(string accessKey = AccessKey, string secretKey = SecretKey) =>
        new(CreateClient(), new(accessKey, secretKey), Time);

    /// <summary>
    /// Every file and folder of every disk location (folders end in '/'), every object of every S3 location (as
    /// <c>locations/{id}/{key}</c>, like the disk path; S3 has no folders, so a snapshot of an S3 location shows objects
    /// only) and every catalog row, to prove a refusal stored nothing, not even an empty folder.
    /// </summary>
    public StorageSnapshot Snapshot()
    {
        // Start-up creates each location's folders; a snapshot taken before the first request must already see them.
        _ = Services;
        return new StorageSnapshot(_locations.Entries(), CatalogRows());
    }

    public IReadOnlyList<string> CatalogRows()
    {
        if (CatalogConnectionString is not null)
        {
            return PostgresRows();
        }

        var path = Path.Combine(DataDir, "catalog.db");
        if (!File.Exists(path))
        {
            return [];
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        // Rows, and copies that are not simply held (being deleted), so a snapshot shows every mark a request left.
        command.CommandText = """
            SELECT path || ' state=' || state FROM files
            UNION ALL SELECT path || ' copy ' || location_id || ' state=' || state FROM file_copies WHERE state <> 1
            ORDER BY 1;
            """;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>The environment a server process needs to use this server's catalog (nothing for the default SQLite one).</summary>
    public IReadOnlyDictionary<string, string> CatalogEnvironment() => CatalogConnectionString is null
        ? new Dictionary<string, string>()
        : new Dictionary<string, string> { ["Ccfs__Catalog__Provider"] = "Postgres", ["Ccfs__Catalog__ConnectionString"] = CatalogConnectionString };

    /// <summary>The environment a server process needs to use this server's S3 locations (nothing when they are on disk).</summary>
    public IReadOnlyDictionary<string, string> StoreEnvironment() => _locations.S3Environment();

    /// <summary>The number of rows in a catalog table, whichever the provider.</summary>
    public long CatalogCount(string table)
    {
        if (CatalogConnectionString is not null)
        {
            using var pg = new Npgsql.NpgsqlConnection(CatalogConnectionString);
            pg.Open();
            using var count = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM {table};", pg);
            return (long)count.ExecuteScalar()!;
        }

        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, "catalog.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table};";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Everything the catalog holds, as bytes a secret could hide in: the SQLite files (database and WAL), or for
    /// PostgreSQL every row of every table as text and every bytea value as it is stored.
    /// </summary>
    public IReadOnlyList<byte[]> CatalogContents()
    {
        if (CatalogConnectionString is null)
        {
            return [.. Directory.GetFiles(DataDir, "catalog.db*").Select(File.ReadAllBytes)];
        }

        using var pg = new Npgsql.NpgsqlConnection(CatalogConnectionString);
        pg.Open();
        var contents = new List<byte[]>();
        var tables = new List<string>();
        using (var list = new Npgsql.NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = current_schema();", pg))
        using (var reader = list.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            using var rows = new Npgsql.NpgsqlCommand($"SELECT row_to_json(t)::text FROM {table} t;", pg);
            using var reader = rows.ExecuteReader();
            while (reader.Read())
            {
                contents.Add(System.Text.Encoding.UTF8.GetBytes(reader.GetString(0)));
            }
        }

        using (var secrets = new Npgsql.NpgsqlCommand("SELECT sealed FROM account_secrets;", pg))
        using (var reader = secrets.ExecuteReader())
        {
            while (reader.Read())
            {
                contents.Add((byte[])reader.GetValue(0));
            }
        }

        return contents;
    }

    private List<string> PostgresRows()
    {
        using var connection = new Npgsql.NpgsqlConnection(CatalogConnectionString);
        connection.Open();
        // Ordered as SQLite orders text (by bytes), so snapshots of both catalogs read alike.
        using var command = new Npgsql.NpgsqlCommand("""
            SELECT r FROM (
                SELECT path || ' state=' || state FROM files
                UNION ALL SELECT path || ' copy ' || location_id || ' state=' || state FROM file_copies WHERE state <> 1
            ) rows (r) ORDER BY r COLLATE "C";
            """, connection);
        try
        {
            using var reader = command.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add(reader.GetString(0));
            }

            return rows;
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            return [];
        }
    }

    /// <summary>Sends a request that must be refused with <paramref name="code"/>, and checks that it changed no file and no row.</summary>
    public async Task<HttpResponseMessage> AssertRefusedAsync(Func<SignedClient, Task<HttpResponseMessage>> send, string code, string desc)
    {
        var before = Snapshot();

        var response = await send(Signed());
        // The one-node RGW of the tests now and then leaves a request unanswered for 30 s; the server then answers
        // 0300503, as it should. Once more, for the answer the test is about.
        if (TestBackends.UsesS3 && code != "0300503" && CcfsAnswer.Reason(response)?.Contains("no answer within", StringComparison.Ordinal) == true)
        {
            response.Dispose();
            response = await send(Signed());
        }

        await CcfsAnswer.AssertTripleAsync(response, code, desc);
        Assert.Equal(before, Snapshot());
        return response;
    }

    /// <summary>What the server logged at Information and above, oldest first.</summary>
    public IReadOnlyList<FakeLogRecord> Logs => Services.GetFakeLogCollector().GetSnapshot();

    public Task<FileRecord?> FindAsync(string path) => Services.GetRequiredService<IFileCatalog>().FindAsync(path, CancellationToken.None);

    /// <summary>The server's own file catalog, for test doubles that wrap it.</summary>
    public static IFileCatalog ProviderCatalog(IServiceProvider services) => ActivatorUtilities.CreateInstance<FileCatalog>(services);

    /// <summary>Runs one pass of the recovery the server runs every <c>Ccfs:Catalog:RecoveryInterval</c>.</summary>
    public Task<RecoveryPass> RecoverAsync() => Services.GetRequiredService<WorkRecovery>().RunAsync(CancellationToken.None);

    /// <summary>Stops this server and keeps its data dir, so another can start on it (the data dir lock is released).</summary>
    public void StopKeepingData()
    {
        _keepDataDir = true;
        Dispose();
        if (CatalogConnectionString is null)
        {
            WaitForDataDirLockRelease(DataDir);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IStartupFilter, TestClientAddress>();
        });
        // The console shows warnings; tests read everything from Information up through Logs.
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFakeLogging()
            .AddFilter<FakeLoggerProvider>(level => level >= LogLevel.Information));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (_keepDataDir)
        {
            return;
        }

        if (CatalogConnectionString is not null)
        {
            PostgresCluster.Drop(CatalogConnectionString);
        }

        _locations.RemoveBuckets();

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class TestClientAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = context.Request.Headers.TryGetValue(ClientIpHeader, out var ip)
                    ? IPAddress.Parse(ip.ToString())
                    : IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <param name="Files">Paths relative to the data dir; a folder's ends in '/'.</param>
/// <param name="CatalogRows">Each row's path and state.</param>
public sealed record StorageSnapshot(IReadOnlyList<string> Files, IReadOnlyList<string> CatalogRows)
{
    public bool Equals(StorageSnapshot? other) =>
        other is not null && Files.SequenceEqual(other.Files) && CatalogRows.SequenceEqual(other.CatalogRows);

    public override int GetHashCode() => Files.Count ^ CatalogRows.Count;

    public override string ToString() => $"files [{string.Join(", ", Files)}], rows [{string.Join(", ", CatalogRows)}]";
}
