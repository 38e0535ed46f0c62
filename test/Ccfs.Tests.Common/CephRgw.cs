using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ccfs.Tests;

/// <summary>
/// A real S3 endpoint for tests. If <c>CCFS_TEST_S3</c> is set (<c>URL|ACCESS_KEY|SECRET_KEY</c>, as
/// <c>scripts/rgw-start.sh</c> prints it, e.g. <c>http://127.0.0.1:63080|ccfs-test-ak|ccfs-test-sk-0123456789</c>), that
/// endpoint; otherwise a private one-node Ceph RGW that <c>scripts/rgw-start.sh</c> starts once per test process, on free
/// ports in a temporary folder (about 10-20 s, the first time it is asked for), and <c>scripts/rgw-stop.sh</c> stops at
/// process exit (or, if the process is killed, the script's watcher). Every test, or every server factory, takes a
/// bucket of its own (<see cref="NewBucketAsync"/>), so no two share state.
/// </summary>
public sealed class CephRgw
{
    public const string EnvironmentVariable = "CCFS_TEST_S3";

    private static readonly Lazy<CephRgw> SharedEndpoint = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private CephRgw(Uri serviceUrl, string accessKey, string secretKey)
    {
        ServiceUrl = serviceUrl;
        AccessKey = accessKey;
        SecretKey = secretKey;
    }

    /// <summary>The endpoint of this test process; the first call waits for the private RGW to start.</summary>
    public static CephRgw Shared => SharedEndpoint.Value;

    /// <summary><see cref="Shared"/> without blocking a test's thread while the RGW starts.</summary>
    public static Task<CephRgw> SharedAsync() => SharedEndpoint.IsValueCreated ? Task.FromResult(SharedEndpoint.Value) : Task.Run(() => SharedEndpoint.Value);

    public Uri ServiceUrl { get; }

    public string AccessKey { get; }

    public string SecretKey { get; }

    /// <summary>A client with the settings that work against RGW (no chunked uploads, checksums only when required).</summary>
    public AmazonS3Client CreateClient() =>
        new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
        {
            ServiceURL = ServiceUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            IgnoreConfiguredEndpointUrls = true,
        });

    /// <summary>A new, empty bucket; disposing it removes its objects and the bucket.</summary>
    public async Task<TestBucket> NewBucketAsync()
    {
        var client = CreateClient();
        var name = $"ccfs-test-{Guid.NewGuid():N}"[..30];
        await client.PutBucketAsync(name);
        return new TestBucket(name, client);
    }

    /// <summary><see cref="NewBucketAsync"/> for a constructor, such as a server factory's.</summary>
    public TestBucket NewBucket() => NewBucketAsync().GetAwaiter().GetResult();

    /// <summary>
    /// The settings that make location <paramref name="index"/> (id <paramref name="id"/>) an S3 location in <paramref name="bucket"/>.
    /// The store's timeout is 30 s rather than 10: the RGW shares a loaded two-core CI machine with the tests, and a test
    /// about something else must not fail because one call was slow there.
    /// </summary>
    public Dictionary<string, string?> Location(int index, string id, TestBucket bucket, string? prefix = null)
    {
        var key = $"Ccfs:Locations:{index}";
        return new()
        {
            [$"{key}:Id"] = id,
            [$"{key}:Kind"] = "S3",
            [$"{key}:S3:ServiceUrl"] = ServiceUrl.ToString(),
            [$"{key}:S3:Bucket"] = bucket.Name,
            [$"{key}:S3:Prefix"] = prefix,
            [$"{key}:S3:AccessKey"] = AccessKey,
            [$"{key}:S3:SecretKey"] = SecretKey,
            [$"{key}:S3:Timeout"] = "00:00:30",
        };
    }

    private static CephRgw Start()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return Parse(configured)
                ?? throw new InvalidOperationException($"{EnvironmentVariable} is '{configured}'; it must be URL|ACCESS_KEY|SECRET_KEY, "
                    + "such as http://127.0.0.1:63080|ccfs-test-ak|ccfs-test-sk-0123456789");
        }

        // Ports are found free just before the start; if another process takes one meanwhile, the start is tried again.
        var failures = new List<string>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"ccfs-rgw-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
            var (output, error, exitCode) = RunScript("rgw-start.sh", TimeSpan.FromMinutes(5), new()
            {
                ["RGW_PORT"] = ServerProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RGW_MON_PORT"] = ServerProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RGW_WATCH_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, folder);
            if (exitCode == 0 && Parse(output.Trim()) is { } started)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => RunScript("rgw-stop.sh", TimeSpan.FromSeconds(60), [], folder, "--purge");
                return started;
            }

            failures.Add($"attempt {attempt}: exit {exitCode}: {error.Trim()}");
            RunScript("rgw-stop.sh", TimeSpan.FromSeconds(60), [], folder, "--purge");
        }

        throw new InvalidOperationException("scripts/rgw-start.sh could not start a Ceph RGW:\n" + string.Join('\n', failures));
    }

    private static CephRgw? Parse(string endpoint)
    {
        var parts = endpoint.Split('|');
        return parts.Length == 3 && Uri.TryCreate(parts[0], UriKind.Absolute, out var url) && parts[1].Length > 0 && parts[2].Length > 0
            ? new CephRgw(url, parts[1], parts[2])
            : null;
    }

    private static (string Output, string Error, int ExitCode) RunScript(string script, TimeSpan timeout, Dictionary<string, string> environment,
        params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(TestData.RepositoryRoot, "scripts", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return ("", $"{script} did not finish within {timeout}", -1);
        }

        return (output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult(), process.ExitCode);
    }
}

/// <summary>A bucket of one test or one server factory, and a client to look into it.</summary>
public sealed class TestBucket(string name, AmazonS3Client client) : IAsyncDisposable
{
    public string Name { get; } = name;

    public AmazonS3Client Client { get; } = client;

    /// <summary>Every key in the bucket under <paramref name="prefix"/>, in order.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix = "")
    {
        var keys = new List<string>();
        string? continuation = null;
        do
        {
            var page = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = prefix, ContinuationToken = continuation });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        return [.. keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The bytes of an object, or null if there is none.</summary>
    public async Task<byte[]?> GetAsync(string key)
    {
        try
        {
            using var response = await Client.GetObjectAsync(Name, key);
            using var bytes = new MemoryStream();
            await response.ResponseStream.CopyToAsync(bytes);
            return bytes.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Puts an object directly, past ccfs.</summary>
    public Task PutAsync(string key, byte[] content) =>
        Client.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = key, InputStream = new MemoryStream(content), UseChunkEncoding = false });

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var key in await KeysAsync())
            {
                await Client.DeleteObjectAsync(Name, key);
            }

            await Client.DeleteBucketAsync(Name);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException)
        {
            // A private RGW goes with the test process anyway; only a shared endpoint keeps what could not be removed.
        }

        Client.Dispose();
    }
}
