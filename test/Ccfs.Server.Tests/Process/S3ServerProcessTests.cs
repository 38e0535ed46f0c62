namespace Ccfs.Server.Tests.Process;

/// <summary>
/// A server process whose S3 location (a bucket of its own on a real Ceph RGW) refuses its keys: it does not start,
/// and says why in one line that never shows the secret.
/// </summary>
public sealed class S3ServerProcessTests : IAsyncLifetime
{
    private const string Prefix = "ccfs/";

    private CephRgw _rgw = null!;
    private TestBucket _bucket = null!;

    public async Task InitializeAsync()
    {
        _rgw = await CephRgw.SharedAsync();
        _bucket = await _rgw.NewBucketAsync();
    }

    public async Task DisposeAsync() => await _bucket.DisposeAsync();

    [Fact]
    public async Task A_server_whose_bucket_refuses_its_keys_does_not_start_and_says_why_in_one_line()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ccfs-tests", Guid.NewGuid().ToString("N"));
        var environment = _rgw.Location(0, "0", _bucket, Prefix).Where(e => e.Value is not null)
            .ToDictionary(e => e.Key.Replace(":", "__", StringComparison.Ordinal), e => e.Value!);
        environment["Ccfs__Locations__0__S3__SecretKey"] = "not-the-secret-key";
        environment["Ccfs__DataDir"] = dataDir;
        try
        {
            await using var server = ServerProcess.Start(environment, "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}");

            Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
            Assert.Equal(2, server.ExitCode);
            var line = Assert.Single(server.StandardError);
            Assert.StartsWith($"ccfs cannot start: location 0 (s3://{_bucket.Name}/{Prefix} at {_rgw.ServiceUrl}): ", line, StringComparison.Ordinal);
            Assert.Contains("access denied (SignatureDoesNotMatch)", line, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-secret-key", server.Output, StringComparison.Ordinal);
            Assert.Empty(await _bucket.KeysAsync());
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }
}
