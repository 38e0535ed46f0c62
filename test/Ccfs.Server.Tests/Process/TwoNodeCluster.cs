using System.Globalization;
using System.Net;
using Npgsql;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// Two real server processes sharing one PostgreSQL catalog (a schema of its own), one S3 location (a bucket of its own
/// in the test process's Ceph RGW) and one master key, behind haproxy. Each node keeps its port across restarts, as a
/// node behind a load balancer does. One cluster serves a whole test class (starting one costs seconds of the CI's
/// budget), so each test leaves both nodes running and the parameters as it found them.
/// </summary>
public sealed class TwoNodeCluster : IAsyncLifetime
{
    /// <summary>The location's key prefix in the bucket.</summary>
    public const string Prefix = "ccfs/";

    private readonly string _masterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private Haproxy? _haproxy;
    private TestBucket? _bucket;
    private ClusterNode? _a;
    private ClusterNode? _b;
    private HttpClient? _balancer;

    public string Catalog { get; } = PostgresCluster.NewCatalog();

    public TestBucket Bucket => _bucket ?? throw new InvalidOperationException("the cluster has not started");

    public ClusterNode A => _a ?? throw new InvalidOperationException("the cluster has not started");

    public ClusterNode B => _b ?? throw new InvalidOperationException("the cluster has not started");

    /// <summary>A client of haproxy, which sends each request to the next healthy node in turn.</summary>
    public HttpClient Balancer => _balancer ?? throw new InvalidOperationException("the cluster has not started");

    public async Task InitializeAsync()
    {
        var rgw = await CephRgw.SharedAsync();
        _bucket = await rgw.NewBucketAsync();
        _a = new ClusterNode("node-a", Settings(rgw, "node-a"));
        _b = new ClusterNode("node-b", Settings(rgw, "node-b"));
        _haproxy = Haproxy.Start(_a.Port, _b.Port);
        _balancer = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_haproxy.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            await EnsureRunningAsync();
        }
        catch
        {
            // A fixture that fails to start is not disposed by xUnit; haproxy and a started node must not outlive the run.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a node a failed test left stopped, and waits until haproxy forwards to both.</summary>
    public async Task EnsureRunningAsync()
    {
        await Task.WhenAll(new[] { A, B }.Where(n => !n.IsRunning).Select(n => n.StartAsync()));
        await WaitUntilBalancedAsync();
    }

    public static SignedClient Signed(HttpClient http) => new(http, new(CcfsFactory.AccessKey, CcfsFactory.SecretKey), TimeProvider.System);

    public static SignedClient Admin(HttpClient http) => new(http, new(CcfsFactory.AdminAccessKey, CcfsFactory.AdminSecretKey), TimeProvider.System);

    /// <summary>The object key of a stored file, given by the name the client got (<c>Y:/3rdfile/…</c>).</summary>
    public static string ObjectKey(string fileName) => Prefix + fileName[3..];

    /// <summary>Every file row: its path, its SHA-256 and its state (0 pending, 1 stored, 2 deleting).</summary>
    public async Task<List<(string Path, string Sha256, int State)>> FileRowsAsync()
    {
        await using var connection = new NpgsqlConnection(Catalog);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT path, sha256, state FROM files;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt16(2)));
        }

        return rows;
    }

    /// <summary>Rows of files and of copies that are not stored: work some node has not finished.</summary>
    public async Task<long> UnfinishedRowsAsync()
    {
        await using var connection = new NpgsqlConnection(Catalog);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM files WHERE state <> 1) + (SELECT count(*) FROM file_copies WHERE state <> 1);", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rows of files the running instance of the node named <paramref name="nodeName"/> has not finished.</summary>
    public async Task<long> UnfinishedRowsOfAsync(string nodeName)
    {
        await using var connection = new NpgsqlConnection(Catalog);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM files f JOIN nodes n ON f.owner = n.instance WHERE n.name = @name AND f.state <> 1;", connection);
        command.Parameters.AddWithValue("name", nodeName);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until no row is pending or deleting; true if that happened.</summary>
    public async Task<bool> WaitUntilNothingUnfinishedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await UnfinishedRowsAsync() > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(200);
        }

        return true;
    }

    /// <summary>The stored files' object keys, without the readiness probes.</summary>
    public async Task<IReadOnlyList<string>> FileObjectsAsync() =>
        [.. (await Bucket.KeysAsync(Prefix)).Where(k => !k.StartsWith(Prefix + ".ccfs-probe/", StringComparison.Ordinal))];

    /// <summary>Waits until haproxy answers /readyz through both nodes, so its health checks see them up.</summary>
    public async Task WaitUntilBalancedAsync()
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                using var first = await Balancer.GetAsync("/readyz");
                using var second = await Balancer.GetAsync("/readyz");
                if (first.StatusCode == HttpStatusCode.OK && second.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("haproxy did not forward to the nodes within 15 s:\n" + _haproxy?.Output);
    }

    public async Task DisposeAsync()
    {
        _balancer?.Dispose();
        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        foreach (var node in new[] { _a, _b })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        if (_bucket is not null)
        {
            await _bucket.DisposeAsync();
        }

        PostgresCluster.Drop(Catalog);
    }

    private Dictionary<string, string> Settings(CephRgw rgw, string name)
    {
        var settings = new Dictionary<string, string>
        {
            ["Ccfs__Catalog__Provider"] = "Postgres",
            ["Ccfs__Catalog__ConnectionString"] = Catalog,
            ["Ccfs__Catalog__RecoveryInterval"] = "00:00:01",
            ["Ccfs__Node__Name"] = name,
            ["Ccfs__Node__LeaseDuration"] = "00:00:03",
            ["Ccfs__Security__MasterKey"] = _masterKey,
            ["Ccfs__Auth__TrustedProxyHeader"] = "X-Forwarded-For",
            ["Ccfs__Auth__TrustedProxies__0"] = "127.0.0.1",
            // The tests poll with keys a node does not know yet; the IP lock has tests of its own.
            ["Ccfs__Auth__IpLock__MaxFailures"] = "100000",
            ["Ccfs__Limits__Hash__PermitLimit"] = "100000",
            ["Ccfs__Limits__Download__PermitLimit"] = "100000",
            ["Ccfs__Limits__ShutdownTimeout"] = "00:00:05",
        }.WithTestAccounts(admin: true, CcfsFactory.Vdn);
        foreach (var (key, value) in rgw.Location(0, "0", Bucket, Prefix))
        {
            if (value is not null)
            {
                settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        return settings;
    }
}

/// <summary>One node of a <see cref="TwoNodeCluster"/>: a data dir and a port of its own, and the process running now.</summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private readonly Dictionary<string, string> _settings;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-two-node", Guid.NewGuid().ToString("N"));
    private ServerProcess? _process;

    public ClusterNode(string name, Dictionary<string, string> settings)
    {
        Name = name;
        Port = ServerProcess.FreePort();
        _settings = new(settings) { ["Ccfs__DataDir"] = _dataDir };
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>A client of this node alone, past haproxy.</summary>
    public HttpClient Http { get; }

    public bool IsRunning => _process is { HasExited: false };

    public ServerProcess Process => _process ?? throw new InvalidOperationException($"{Name} is not running");

    /// <summary>Starts the node and waits until it is ready (its catalog and bucket answer).</summary>
    public async Task StartAsync()
    {
        _process = ServerProcess.Start(_settings, "--urls", $"http://127.0.0.1:{Port}");
        await _process.WaitUntilHealthyAsync(Http, TimeSpan.FromSeconds(60));
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var ready = await Http.GetAsync("/readyz");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} did not become ready within 30 s:\n{_process.Output}");
    }

    /// <summary>Stops the node with SIGKILL (nothing of it runs on) or SIGTERM (it finishes the requests in flight).</summary>
    public async Task StopAsync(bool kill)
    {
        var process = Process;
        if (kill)
        {
            await process.KillAsync();
        }
        else
        {
            await process.TerminateAsync();
            Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), $"{Name} did not stop on SIGTERM:\n{process.Output}");
        }

        await process.DisposeAsync();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
