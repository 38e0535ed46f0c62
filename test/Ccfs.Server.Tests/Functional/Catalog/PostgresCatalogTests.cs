using System.Net;
using Ccfs.Server.Catalog;
using Ccfs.Server.Catalog.Postgres;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>
/// The PostgreSQL catalog shared by nodes (real PostgreSQL, see <see cref="PostgresCluster"/>): two in-process nodes on
/// one schema and one location folder see each other's files and changes (by NOTIFY: their clocks are fake, so no
/// poll runs), names stay unique, racing copy deletes never strip a row of every copy, migrations run once however many
/// nodes start together, and recovery leaves the work of a live node alone until its lease is gone.
/// </summary>
[Trait("Catalog", "Postgres")]
public sealed class PostgresCatalogTests : IDisposable
{
    private readonly string _catalog = PostgresCluster.NewCatalog();
    private readonly string _location = Path.Combine(Path.GetTempPath(), "ccfs-shared-location", Guid.NewGuid().ToString("N"));
    private readonly List<CcfsFactory> _nodes = [];

    // Every node of a deployment shares one master key, or none could open the secrets another sealed.
    private readonly string _masterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_file_uploaded_through_one_node_is_hashed_downloaded_and_deleted_through_the_other()
    {
        var (a, b) = (Node(), Node());
        var wav = Samples.ALawOfSize(50_000);

        var fileName = await a.Signed().StoreAsync(wav);

        var hash = await CcfsAnswer.AssertTripleAsync(await b.Signed().HashAsync(fileName), "0", "success");
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(wav)),
            hash.GetProperty("resultData").GetProperty("hash").GetString());
        using var download = await b.Signed().DownloadAsync(fileName);
        Assert.Equal(wav, await download.Content.ReadAsByteArrayAsync());
        await CcfsAnswer.AssertTripleAsync(await b.Signed().DeleteAsync(fileName), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await a.Signed().HashAsync(fileName), "0300011", "The file does not exist.");
        Assert.Empty(a.CatalogRows());
    }

    [Fact]
    public async Task An_account_and_a_parameter_changed_on_one_node_are_obeyed_by_the_other_without_a_poll()
    {
        var (a, b) = (Node(), Node());
        _ = b.Services;

        using var created = await a.Admin().AdminAsync(HttpMethod.Post, "/admin/api/accounts", new { vdnIds = new[] { 77 } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var account = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var (accessKey, secretKey) = (account.GetProperty("account").GetProperty("accessKey").GetString()!,
            account.GetProperty("secretKey").GetString()!);
        await EventuallyAsync(async () => (await b.Signed(accessKey, secretKey).UploadAsync(Samples.Sine, 77)).StatusCode == HttpStatusCode.OK);

        using var limited = await a.Admin().AdminAsync(HttpMethod.Put, "/admin/api/parameters", new { uploadSizeLimitMb = 0.05m });
        Assert.Equal(HttpStatusCode.OK, limited.StatusCode);
        var large = Samples.ALawOfSize(100_000);
        await EventuallyAsync(async () => (await (await b.Signed().UploadAsync(large)).Content.ReadAsStringAsync())
            .Contains("\"resultCode\":\"0300003\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_admin_request_replayed_to_the_other_node_is_refused_there()
    {
        var (a, b) = (Node(), Node());
        var at = DateTimeOffset.UtcNow;
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { vdnIds = new[] { 78 } });
        HttpRequestMessage Request(CcfsFactory node) => node.Admin().Build("/admin/api/accounts", body, new SignOptions { At = at }, HttpMethod.Post);

        using var created = await a.CreateClient().SendAsync(Request(a));
        using var replayed = await b.CreateClient().SendAsync(Request(b));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("signature was accepted before", CcfsAnswer.Reason(replayed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_signatures_on_both_nodes_make_one_lock_that_both_enforce_and_a_lift_on_either_ends_it_on_both()
    {
        const string attacker = "198.51.100.40", operatorAddress = "198.51.100.41";
        var (a, b) = (Node(ipLockFailures: 4), Node(ipLockFailures: 4));
        var wrong = new SignOptions
        {
            Credential = new(CcfsFactory.AccessKey, "not-the-secret"),
            AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, attacker),
        };
        Task<HttpResponseMessage> UploadFrom(CcfsFactory node) => node.Signed().UploadAsync(Samples.Sine,
            options: new SignOptions { AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, attacker) });

        // Two failures on each node: neither reaches four on its own; together they do.
        foreach (var node in new[] { a, b, a, b })
        {
            using var refused = await node.Signed().UploadAsync(Samples.Sine, options: wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await EventuallyAsync(async () => (await UploadFrom(a)).StatusCode == HttpStatusCode.Forbidden
            && (await UploadFrom(b)).StatusCode == HttpStatusCode.Forbidden);
        using var listed = await a.Admin().SendAsync(HttpMethod.Get, "/admin/api/ip-locks",
            options: new SignOptions { SignedHeaders = ["host"], AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, operatorAddress) });
        Assert.Contains(attacker, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var lifted = await b.Admin().SendAsync(HttpMethod.Delete, $"/admin/api/ip-locks/{attacker}",
            options: new SignOptions { SignedHeaders = ["host"], AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, operatorAddress) });
        Assert.Equal(HttpStatusCode.NoContent, lifted.StatusCode);
        await EventuallyAsync(async () => (await UploadFrom(a)).StatusCode == HttpStatusCode.OK);
        await CcfsAnswer.AssertTripleAsync(await UploadFrom(b), "0", "success");
    }

    [Fact]
    public async Task Two_nodes_reserving_one_name_get_it_once()
    {
        var (a, b) = (Node(), Node());
        var record = Record("contended");

        var results = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).Services.GetRequiredService<IFileCatalog>().TryReserveAsync(record, default)));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task Two_nodes_deleting_the_last_two_copies_at_once_never_leave_a_stored_row_without_a_copy()
    {
        for (var round = 0; round < 20; round++)
        {
            var (a, b) = (Node(pool: true), Node(pool: true));
            var fileName = await a.Signed().StoreAsync(Samples.ALawOfSize(1000 + round));

            var answers = await Task.WhenAll(a.Signed().DeleteAsync(fileName, "0"), b.Signed().DeleteAsync(fileName, "256"));

            foreach (var answer in answers)
            {
                await CcfsAnswer.AssertTripleAsync(answer, "0", "success");
            }

            // Both copies went, so the row went with the second one: nothing is left that claims a copy.
            Assert.Null(await a.FindAsync(fileName[2..]));
            Assert.Empty(a.CatalogRows());
            StopAll();
        }
    }

    [Fact]
    public async Task A_pin_on_one_node_and_retentions_mark_on_the_other_never_both_win()
    {
        var (a, b) = (Node(), Node());
        var pins = a.Services.GetRequiredService<RetentionStore>();
        var catalog = b.Services.GetRequiredService<IFileCatalog>();
        var outcomes = new HashSet<string>();
        for (var round = 0; round < 30; round++)
        {
            var path = (await a.Signed().StoreAsync(Samples.ALawOfSize(1000 + round)))[2..];

            var pin = pins.PinAsync(path, 53, stored: true, "ak", DateTimeOffset.UtcNow, default);
            var mark = catalog.BeginExpireAsync(path, DateTimeOffset.MaxValue, default);
            await Task.WhenAll(pin, mark);

            // Either the pin came first and the mark saw it, or the mark came first and the pin found the file deleting.
            Assert.True((await pin == PinOutcome.Pinned) == (await mark is null), $"round {round}: pin {await pin}, marked {await mark is not null}");
            Assert.Equal(await pin == PinOutcome.Pinned, await pins.IsPinnedAsync(path, default));
            outcomes.Add((await pin).ToString());
        }

        Assert.Contains(nameof(PinOutcome.Pinned), outcomes);
    }

    [Fact]
    public async Task Retentions_claim_of_a_recording_on_one_node_and_an_upload_reserving_its_name_on_the_other_never_both_win()
    {
        var (a, b) = (Node(), Node());
        var retention = a.Services.GetRequiredService<RetentionStore>();
        var instance = a.Services.GetRequiredService<NodeIdentity>().Instance;
        var catalog = b.Services.GetRequiredService<IFileCatalog>();
        await retention.SweepOfAsync(53, default);
        Assert.True(await retention.ClaimAsync(53, null, instance, default));
        for (var round = 0; round < 60; round++)
        {
            var record = Record($"recorded-{round}");

            // Each goes first in turn.
            Task<bool> claim, reserve;
            if (round % 2 == 0)
            {
                claim = retention.ClaimExpiryAsync(record.Path, 53, instance, DateTimeOffset.UtcNow, default);
                reserve = catalog.TryReserveAsync(record, default);
            }
            else
            {
                reserve = catalog.TryReserveAsync(record, default);
                claim = retention.ClaimExpiryAsync(record.Path, 53, instance, DateTimeOffset.UtcNow, default);
            }

            await Task.WhenAll(claim, reserve);

            // Both winning would let the claim's delete take the copies the upload places under the name.
            Assert.True(await claim != await reserve, $"round {round}: claimed {await claim}, reserved {await reserve}");
        }
    }

    [Fact]
    public async Task Nodes_migrating_one_catalog_together_apply_each_migration_once()
    {
        var databases = Enumerable.Range(0, 4).Select(_ => new PostgresProvider(_catalog, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), new NodeIdentity("test"), TimeProvider.System,
            NullLoggerFactory.Instance)).ToList();
        try
        {
            await Task.WhenAll(databases.Select(d => d.MigrateAsync(CancellationToken.None)));
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }

        await using var connection = new NpgsqlConnection(_catalog);
        await connection.OpenAsync();
        await using var versions = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM schema_version;", connection);
        await using var reader = await versions.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
    }

    [Fact]
    public async Task A_node_frozen_inside_a_transaction_has_it_ended_by_postgresql_and_another_nodes_write_then_succeeds()
    {
        var writeTimeout = TimeSpan.FromMilliseconds(500);
        await using var live = new PostgresProvider(_catalog, writeTimeout, TimeSpan.FromSeconds(30), new NodeIdentity("live"), TimeProvider.System,
            NullLoggerFactory.Instance);
        await live.MigrateAsync(CancellationToken.None);
        Assert.Equal("1s", await live.Database.ScalarAsync($"SHOW {PostgresProvider.IdleInTransactionTimeout};", CancellationToken.None));

        // The frozen node: a connection opened as ccfs opens its own, inside a transaction that holds a row's lock, then
        // silent, as a SIGSTOPped node is; without the timeout it would hold the lock until TCP keepalive ends it.
        await using var frozen = new NpgsqlConnection(PostgresProvider.Configure(_catalog, writeTimeout).ConnectionString);
        await frozen.OpenAsync();
        await using var transaction = await frozen.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("UPDATE catalog_probe SET node = 'frozen' WHERE id = 1;", frozen, transaction))
        {
            await take.ExecuteNonQueryAsync();
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await live.Database.Writer.WriteAsync(async (tx, ct) =>
                    await tx.ExecuteAsync("UPDATE catalog_probe SET node = 'live' WHERE id = 1;", ct));
                break;
            }
            catch (System.Data.Common.DbException) when (waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                // Refused after the write timeout while the lock is held; the next try comes after PostgreSQL ended it.
            }
        }

        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"the write waited {waited.Elapsed}");
        Assert.Equal("live", await live.Database.ScalarAsync("SELECT node FROM catalog_probe WHERE id = 1;", CancellationToken.None));
        await using var after = new NpgsqlCommand("SELECT 1;", frozen, transaction);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => after.ExecuteScalarAsync());
    }

    /// <summary>
    /// Two nodes purge old events at once (each runs the hourly purge). The other node has deleted a chunk and not yet
    /// committed it; this node's purge must not take that chunk for its own, wait for it, find it gone and stop with
    /// more rows due: once both are done, no old row is left.
    /// </summary>
    [Fact]
    public async Task A_purge_beside_another_nodes_purge_leaves_no_old_event_behind()
    {
        await using var node = new PostgresProvider(_catalog, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), new NodeIdentity("purging"),
            TimeProvider.System, NullLoggerFactory.Instance);
        await node.MigrateAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var before = (now - TimeSpan.FromDays(7)).ToUnixTimeMilliseconds();
        await node.Database.Writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("""
            INSERT INTO events (id, vdn_id, sequence, type, at_ms, file_name, size_bytes, sha256, duration_ms, access_key, location_ids,
                                remaining_location_ids)
            SELECT 'e-' || i, 99, i, 'ccfs.file.stored', CASE WHEN i <= 12001 THEN @old ELSE @recent END, 'Y:/f.wav', 0, '', 0, 'ak', '', ''
            FROM generate_series(1, 12004) AS i;
            """, ct, ("old", (now - TimeSpan.FromDays(9)).ToUnixTimeMilliseconds()), ("recent", now.ToUnixTimeMilliseconds())));

        // The other node: one chunk of its purge deleted, its transaction still open, so those rows are locked.
        await using var other = new NpgsqlConnection(_catalog);
        await other.OpenAsync();
        await using var chunk = await other.BeginTransactionAsync();
        await using (var delete = new NpgsqlCommand("DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at_ms < @before LIMIT 5000);",
            other, chunk))
        {
            delete.Parameters.AddWithValue("before", before);
            Assert.Equal(5000, await delete.ExecuteNonQueryAsync());
        }

        var purge = new EventStore(node.Database).PurgeAsync(now - TimeSpan.FromDays(7), CancellationToken.None);
        // Until it is done, or waits for the other node's chunk; then that chunk commits.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!purge.IsCompleted && !await WaitsForAsync(other.ProcessID))
        {
            Assert.True(DateTime.UtcNow < deadline, "the purge neither ended nor waited for the other node within 30 s");
            await Task.Delay(20);
        }

        await chunk.CommitAsync();
        var removed = await purge;

        Assert.Equal(3L, await node.Database.ScalarAsync("SELECT count(*) FROM events;", CancellationToken.None));
        Assert.Equal(7001, removed);

        async Task<bool> WaitsForAsync(int pid) => await node.Database.ScalarAsync(
            "SELECT count(*) FROM pg_stat_activity WHERE @pid = ANY(pg_blocking_pids(pid));", CancellationToken.None, ("pid", pid)) is long n and > 0;
    }

    [Fact]
    public async Task A_lease_is_renewed_while_the_writer_is_held_up()
    {
        await using var catalog = new PostgresProvider(_catalog, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), new NodeIdentity("held"),
            TimeProvider.System, NullLoggerFactory.Instance);
        await catalog.MigrateAsync(CancellationToken.None);

        // A batch the writer cannot finish for now, as one waiting for rows another node holds locked.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = catalog.Database.Writer.WriteUnboundedAsync(async (tx, ct) =>
        {
            started.SetResult();
            await release.Task;
            return 0;
        });
        await started.Task;

        try
        {
            await catalog.Nodes.JoinAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(3));
        }
        finally
        {
            release.SetResult();
            await held;
        }

        Assert.Equal(1L, await catalog.Database.ScalarAsync("SELECT count(*) FROM nodes WHERE lease_until > now();", CancellationToken.None));
    }

    [Fact]
    public async Task Recovery_leaves_a_live_nodes_pending_upload_and_finishes_it_once_that_node_has_left()
    {
        var (a, b) = (Node(), Node());
        var record = Record("owned-by-a");
        Assert.True(await a.Services.GetRequiredService<IFileCatalog>().TryReserveAsync(record, default));
        await a.Services.GetRequiredService<LocationSet>().Stores[0].WriteAsync(record.Path[1..], Samples.Sine, default);

        Assert.Equal(new RecoveryPass(0, 0, 1), await b.RecoverAsync());

        a.StopKeepingData();
        Assert.Equal(new RecoveryPass(1, 0, 0), await b.RecoverAsync());
        Assert.Equal(["0"], (await b.FindAsync(record.Path))!.Locations);
    }

    [Fact]
    public async Task Work_of_an_instance_whose_lease_ran_out_is_finished_and_its_temporary_files_go()
    {
        var node = Node();
        _ = node.Services;
        await using (var connection = new NpgsqlConnection(_catalog))
        {
            await connection.OpenAsync();
            await using var dead = new NpgsqlCommand("""
                INSERT INTO nodes (instance, name, started_at, lease_until) VALUES ('0badc0ffee00', 'crashed', now() - interval '1 hour', now() - interval '1 minute');
                INSERT INTO files (path, file_name, vdn_id, size_bytes, sha256, encoding, duration_ms, access_key, created_at_ms, state, owner)
                VALUES ('/3rdfile/53/thirdvoicebotfile/orphan.wav', 'Y:/3rdfile/53/thirdvoicebotfile/orphan.wav', 53, 3, '00', 'alaw', 1, 'ak', 0, 0, '0badc0ffee00');
                """, connection);
            await dead.ExecuteNonQueryAsync();
        }

        var temporary = Path.Combine(_location, "0", DiskFileStore.TemporaryFolder, "0badc0ffee00-half.tmp");
        await File.WriteAllBytesAsync(temporary, [1, 2, 3]);

        Assert.Equal(new RecoveryPass(1, 0, 0), await node.RecoverAsync());

        Assert.Empty(node.CatalogRows());
        Assert.False(File.Exists(temporary));
    }

    public void Dispose()
    {
        StopAll();
        PostgresCluster.Drop(_catalog);
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A node on the shared catalog and location folder, with a data dir of its own.</summary>
    private CcfsFactory Node(bool pool = false, int ipLockFailures = 10)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ccfs:Catalog:Provider"] = "Postgres",
            ["Ccfs:Catalog:ConnectionString"] = _catalog,
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:0:Path"] = Path.Combine(_location, "0"),
            ["Ccfs:Security:MasterKey"] = _masterKey,
            ["Ccfs:Auth:IpLock:MaxFailures"] = ipLockFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (pool)
        {
            settings["Ccfs:Locations:1:Id"] = "256";
            settings["Ccfs:Locations:1:Path"] = Path.Combine(_location, "256");
        }

        var node = SharedCatalogFactory.Create(settings, _catalog);
        _nodes.Add(node);
        return node;
    }

    private void StopAll()
    {
        foreach (var node in _nodes)
        {
            node.StopKeepingData();
        }

        _nodes.Clear();
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the other node did not see the change within 10 s");
    }

    private static FileRecord Record(string name) => new($"/3rdfile/53/thirdvoicebotfile/{name}.wav",
        $"Y:/3rdfile/53/thirdvoicebotfile/{name}.wav", 53, Samples.Sine.Length, "00", "alaw", 1000, "ak", DateTimeOffset.UtcNow, ["0"]);

    private sealed class SharedCatalogFactory(Dictionary<string, string?> settings, string catalog) : CcfsFactory(settings, catalog: catalog)
    {
        public static CcfsFactory Create(Dictionary<string, string?> settings, string catalog) => new SharedCatalogFactory(settings, catalog);
    }
}
