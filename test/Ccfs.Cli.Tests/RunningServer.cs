using System.Globalization;

namespace Ccfs.Cli.Tests;

/// <summary>
/// One server process for a test class: plain HTTP on a free port, the test accounts, its own data dir, and the
/// catalog and locations of the back-ends the run targets (<see cref="TestBackends"/>).
/// </summary>
public class RunningServer : IAsyncLifetime
{
    private readonly Dictionary<string, string> _settings;
    private readonly TestLocations _locations;
    private readonly string? _catalog;
    private ServerProcess? _process;

    public RunningServer() : this([])
    {
    }

    /// <param name="settings">Server settings beyond the test accounts, as environment variables.</param>
    protected RunningServer(Dictionary<string, string> settings)
    {
        _settings = settings;
        _locations = new(DataDir);
        if (TestBackends.UsesS3)
        {
            _locations.PlaceInS3(settings.ToDictionary(s => s.Key, s => (string?)s.Value), separator: "__");
        }

        if (TestBackends.Catalog == TestBackends.Postgres)
        {
            _catalog = PostgresCluster.NewCatalog();
        }
    }

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "ccfs-cli", Guid.NewGuid().ToString("N"));

    public string Endpoint { get; private set; } = "";

    /// <summary>Whether location <paramref name="id"/> holds the file the client got as <paramref name="fileName"/> (<c>Y:/…</c>).</summary>
    public bool HasCopy(string fileName, string id = "0") => _locations.Read(fileName[3..], id) is not null;

    /// <summary>The bytes location <paramref name="id"/> holds for <paramref name="fileName"/> (<c>Y:/…</c>), or null if none.</summary>
    public byte[]? ReadCopy(string fileName, string id = "0") => _locations.Read(fileName[3..], id);

    /// <summary>Places a file in a location past ccfs, as a recording system does.</summary>
    public void PutStored(string relativePath, byte[] content, string id = "0") => _locations.Put(relativePath, content, id);

    /// <summary>Every file, folder (ending in '/') and object of every location, as <c>locations/{id}/{path}</c>.</summary>
    public IReadOnlyList<string> StoredEntries() => _locations.Entries();

    public async Task InitializeAsync()
    {
        var port = ServerProcess.FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        var environment = new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = DataDir,
            ["Ccfs__Accounts__0__AccessKey"] = CcfsFactory.AccessKey,
            ["Ccfs__Accounts__0__SecretKey"] = CcfsFactory.SecretKey,
            ["Ccfs__Accounts__0__VdnIds__0"] = CcfsFactory.Vdn.ToString(CultureInfo.InvariantCulture),
            ["Ccfs__Accounts__0__VdnIds__1"] = "55",
            ["Ccfs__Accounts__1__AccessKey"] = CcfsFactory.AdminAccessKey,
            ["Ccfs__Accounts__1__SecretKey"] = CcfsFactory.AdminSecretKey,
            ["Ccfs__Accounts__1__VdnIds__0"] = "1",
            ["Ccfs__Accounts__1__Admin"] = "true",
            ["Ccfs__Auth__IpLock__MaxFailures"] = "100000",
        };
        foreach (var (key, value) in _settings.Concat(_locations.S3Environment()))
        {
            environment[key] = value;
        }

        if (_catalog is not null)
        {
            environment["Ccfs__Catalog__Provider"] = "Postgres";
            environment["Ccfs__Catalog__ConnectionString"] = _catalog;
        }

        _process = ServerProcess.Start(environment, "--urls", Endpoint);
        using var http = new HttpClient { BaseAddress = new Uri(Endpoint) };
        await _process.WaitUntilHealthyAsync(http);
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (_catalog is not null)
        {
            PostgresCluster.Drop(_catalog);
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

    /// <summary>The environment of an operator signing with the admin account.</summary>
    public Dictionary<string, string?> AdminEnvironment() => new(Environment())
    {
        ["CCFS_ACCESS_KEY"] = CcfsFactory.AdminAccessKey,
        ["CCFS_SECRET_KEY"] = CcfsFactory.AdminSecretKey,
    };

    /// <summary>The environment a CLI user would have set for this server.</summary>
    public Dictionary<string, string?> Environment(string? secretKey = null) => new()
    {
        ["CCFS_ENDPOINT"] = Endpoint,
        ["CCFS_ACCESS_KEY"] = CcfsFactory.AccessKey,
        ["CCFS_SECRET_KEY"] = secretKey ?? CcfsFactory.SecretKey,
        ["CCFS_VDN"] = CcfsFactory.Vdn.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// A server that locks an address after 2 failed signatures and believes <c>X-Forwarded-For</c> from loopback, so a test
/// can lock a made-up address while the operator's own (127.0.0.1) stays open.
/// </summary>
public sealed class RunningLockingServer() : RunningServer(new()
{
    ["Ccfs__Auth__IpLock__MaxFailures"] = "2",
    ["Ccfs__Auth__TrustedProxyHeader"] = "X-Forwarded-For",
    ["Ccfs__Auth__TrustedProxies__0"] = "127.0.0.1",
});

/// <summary>A server process in CTI pool mode: locations 0 and 256 each keep a copy.</summary>
public sealed class RunningPoolServer() : RunningServer(new() { ["Ccfs__Locations__0__Id"] = "0", ["Ccfs__Locations__1__Id"] = "256" });

/// <summary>Runs <c>ccfs</c> in-process and captures what it prints.</summary>
public static class Cli
{
    public static Task<(int ExitCode, string Out, string Error)> RunAsync(IReadOnlyDictionary<string, string?> environment,
        params string[] args) => RunInAsync(null, environment, args);

    /// <summary>Runs it as if started in <paramref name="workingDirectory"/>, without changing this process's.</summary>
    public static Task<(int ExitCode, string Out, string Error)> RunInAsync(string? workingDirectory,
        IReadOnlyDictionary<string, string?> environment, params string[] args) => RunInAsync(workingDirectory, environment, default, args);

    /// <summary>Runs it until it ends or <paramref name="cancellationToken"/> stops it, as Ctrl-C or SIGTERM would.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunInAsync(string? workingDirectory,
        IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CcfsCli.RunAsync(args, new CliConsole(output, error, environment, workingDirectory), cancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }
}

/// <summary>A server process with fault injection on, though it has accounts (so it is not the development setup).</summary>
public sealed class RunningRehearsalServer() : RunningServer(new() { ["Ccfs__Faults__Enabled"] = "true" });
