using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// The back-ends misbehaving under a real server: a PostgreSQL or an RGW frozen rather than down (every wait stays
/// bounded, /readyz answers), a PostgreSQL killed under load while its own default would lose commits (nothing
/// acknowledged is lost), and SQLite files made unwritable (a refusal with a reason, never a crash).
/// </summary>
public sealed class BackEndFaultProcessTests : IDisposable
{
    /// <summary>Far past the 1 s write timeout and 2 s readiness timeout these servers run with; a request past it is a hang.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-catalog-faults", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_frozen_postgres_is_met_in_bounded_time_by_uploads_reads_and_readiness_and_serving_resumes_when_it_thaws()
    {
        using var postgres = new PrivatePostgres();
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Catalog__Provider"] = "Postgres",
            ["Ccfs__Catalog__ConnectionString"] = postgres.ConnectionString,
            ["Ccfs__Catalog__WriteTimeout"] = "00:00:01",
            ["Ccfs__Limits__ReadinessTimeout"] = "00:00:02",
        });
        var stored = await server.Client.StoreAsync(Samples.Sine);

        postgres.Freeze();
        try
        {
            // Each answers, and says the service is unavailable, well within the bound; none hangs on the frozen server.
            using var upload = await server.Client.UploadAsync(Samples.Sine).WaitAsync(Bound);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
            using var hash = await server.Client.HashAsync(stored).WaitAsync(Bound);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, hash.StatusCode);
            using var ready = await server.Client.Http.GetAsync("/readyz").WaitAsync(Bound);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("catalog", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            postgres.Thaw();
        }

        await EventuallyAsync(async () => (await server.Client.UploadAsync(Samples.Sine)).StatusCode == HttpStatusCode.OK);
        await CcfsAnswer.AssertTripleAsync(await server.Client.HashAsync(stored), "0", "success");
    }

    [Fact]
    public async Task Writes_on_a_frozen_postgres_answer_within_about_their_write_timeout_not_the_clients_own_cancellation()
    {
        // Npgsql cancels a command on a frozen server by a cancel request that cannot be delivered, and opens a connection
        // without heeding the token: a probe saw uploads answered after 3 x WriteTimeout. The writer lets a batch go at its
        // deadline instead. Npgsql also sends that cancel synchronously, blocking a pool thread for up to its connection
        // timeout: reads in flight as the server froze starved the pool, and an upload waited 6-9 s for threads. WriteTimeout
        // 3 s: an answer takes about 3-4 s.
        const int reads = 16;
        var writeTimeout = TimeSpan.FromSeconds(3);
        var bound = 2 * writeTimeout + TimeSpan.FromSeconds(1);
        using var postgres = new PrivatePostgres();
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Catalog__Provider"] = "Postgres",
            ["Ccfs__Catalog__ConnectionString"] = postgres.ConnectionString,
            ["Ccfs__Catalog__WriteTimeout"] = "00:00:03",
        });
        var stored = await server.Client.StoreAsync(Samples.Sine);
        // Reads at once leave that many open connections in the pool, for the reads after the freeze to time out on.
        await Task.WhenAll(Enumerable.Range(0, reads).Select(async _ => (await server.Client.HashAsync(stored)).Dispose()));

        postgres.Freeze();
        try
        {
            var inFlight = Enumerable.Range(0, reads).Select(_ => server.Client.HashAsync(stored).WaitAsync(Bound)).ToList();
            // The first meets the writer's warm connection, the second a new one the writer opens.
            for (var i = 0; i < 2; i++)
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                using var upload = await server.Client.UploadAsync(Samples.Sine).WaitAsync(Bound);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
                Assert.True(started.Elapsed < bound, $"upload {i + 1} answered after {started.Elapsed.TotalSeconds:0.0} s, past {bound.TotalSeconds} s");
            }

            foreach (var read in await Task.WhenAll(inFlight))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
                read.Dispose();
            }
        }
        finally
        {
            postgres.Thaw();
        }

        await EventuallyAsync(async () => (await server.Client.UploadAsync(Samples.Sine)).StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_frozen_rgw_is_met_in_bounded_time_by_uploads_and_readiness_and_serving_resumes_when_it_thaws()
    {
        var rgw = await CephRgw.SharedAsync();
        await using var bucket = await rgw.NewBucketAsync();
        using var path = new FreezablePath(rgw.ServiceUrl);
        var settings = rgw.Location(0, "0", bucket).Where(e => e.Value is not null)
            .ToDictionary(e => e.Key.Replace(":", "__", StringComparison.Ordinal), e => e.Value!);
        settings["Ccfs__Locations__0__S3__ServiceUrl"] = path.Address.ToString();
        settings["Ccfs__Locations__0__S3__Timeout"] = "00:00:02";
        settings["Ccfs__Limits__ReadinessTimeout"] = "00:00:02";
        await using var server = await StartAsync(settings);
        var stored = await server.Client.StoreAsync(Samples.Sine);

        path.Freeze();
        try
        {
            using var upload = await server.Client.UploadAsync(Samples.Sine).WaitAsync(Bound);
            await CcfsAnswer.AssertTripleAsync(upload, "0300503", "The service is temporarily unavailable, try again later.",
                HttpStatusCode.ServiceUnavailable);
            using var ready = await server.Client.Http.GetAsync("/readyz").WaitAsync(Bound);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("location 0", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            path.Thaw();
        }

        await EventuallyAsync(async () => (await server.Client.UploadAsync(Samples.Sine)).StatusCode == HttpStatusCode.OK);
        await CcfsAnswer.AssertTripleAsync(await server.Client.HashAsync(stored), "0", "success");
    }

    [Fact]
    public async Task Postgres_killed_under_load_loses_no_acknowledged_upload_even_when_its_own_default_would_lose_commits()
    {
        // A server whose default acknowledges commits before they reach its WAL: ccfs's durable batches must not rely on it.
        using var postgres = new PrivatePostgres("-c synchronous_commit=off");
        await using var server = await StartAsync(new()
        {
            ["Ccfs__Catalog__Provider"] = "Postgres",
            ["Ccfs__Catalog__ConnectionString"] = postgres.ConnectionString,
            ["Ccfs__Catalog__WriteTimeout"] = "00:00:02",
            ["Ccfs__Catalog__RecoveryInterval"] = "00:00:01",
        });
        var acknowledged = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var uploaders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var answer = await server.Client.UploadAsync(Samples.Sine);
                    if (answer.StatusCode == HttpStatusCode.OK && await CcfsAnswer.ResultCodeAsync(answer) == "0")
                    {
                        acknowledged.Add(System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement
                            .GetProperty("resultData").GetProperty("fileName").GetString()!);
                    }
                }
                catch (HttpRequestException)
                {
                }
            }
        })).ToList();

        for (var i = 0; i < 300 && acknowledged.Count < 150; i++)
        {
            await Task.Delay(50);
        }

        postgres.Kill();
        await Task.Delay(500);
        postgres.Restart();
        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll(uploaders);

        Assert.True(acknowledged.Count >= 20, $"only {acknowledged.Count} uploads were acknowledged before PostgreSQL was killed");
        // Recovery stores an acknowledged upload whose "stored" mark the kill took (its reservation was durable).
        foreach (var fileName in acknowledged)
        {
            await EventuallyAsync(async () => await CcfsAnswer.ResultCodeAsync(await server.Client.HashAsync(fileName)) == "0",
                $"{fileName} was acknowledged and is lost");
        }
    }

    [Fact]
    public async Task Sqlite_files_made_immutable_are_refused_with_the_reason_at_start_and_while_serving_never_a_crash()
    {
        var settings = new Dictionary<string, string>();
        await using (var first = await StartAsync(settings))
        {
            await first.Client.StoreAsync(Samples.Sine);
            await first.Process.KillAsync();
        }

        // Killed, it left its WAL and the memory-mapped -shm; SQLite would fault on an immutable -shm (SIGBUS).
        var catalog = Path.Combine(_dataDir, "catalog.db");
        Assert.True(File.Exists(catalog + "-shm"), "the killed server left no -shm file");
        using (ReadOnlyFolder.Make(catalog + "-shm"))
        {
            await using var refused = ServerProcess.Start(Environment(settings), "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}");
            Assert.True(await refused.WaitForExitAsync(Bound), refused.Output);
            Assert.Equal(2, refused.ExitCode);
            Assert.StartsWith($"ccfs cannot start: the catalog file {catalog}-shm cannot be written", Assert.Single(refused.StandardError),
                StringComparison.Ordinal);
        }

        await using var server = await StartAsync(settings);
        var stored = await server.Client.StoreAsync(Samples.Sine);
        using (ReadOnlyFolder.Make(catalog + "-wal"))
        {
            using var upload = await server.Client.UploadAsync(Samples.Sine).WaitAsync(Bound);
            await CcfsAnswer.AssertTripleAsync(upload, "0300503", "The service is temporarily unavailable, try again later.",
                HttpStatusCode.ServiceUnavailable);
            using var ready = await server.Client.Http.GetAsync("/readyz").WaitAsync(Bound);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("catalog.db-wal cannot be written", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.False(server.Process.HasExited, server.Process.Output);
        }

        await EventuallyAsync(async () => (await server.Client.UploadAsync(Samples.Sine)).StatusCode == HttpStatusCode.OK);
        await CcfsAnswer.AssertTripleAsync(await server.Client.HashAsync(stored), "0", "success");
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

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string? failure = null)
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail(failure ?? "the server did not serve again within 20 s");
    }

    private Dictionary<string, string> Environment(Dictionary<string, string> settings) => new Dictionary<string, string>(settings)
    {
        ["Ccfs__DataDir"] = _dataDir,
    }.WithTestAccounts(admin: false, CcfsFactory.Vdn);

    private async Task<Running> StartAsync(Dictionary<string, string> settings)
    {
        var endpoint = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var process = ServerProcess.Start(Environment(settings), "--urls", endpoint);
        var http = new HttpClient { BaseAddress = new Uri(endpoint), Timeout = Bound };
        await process.WaitUntilHealthyAsync(http);
        return new Running(process, new SignedClient(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System));
    }

    private sealed record Running(ServerProcess Process, SignedClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Http.Dispose();
            await Process.DisposeAsync();
        }
    }
}
