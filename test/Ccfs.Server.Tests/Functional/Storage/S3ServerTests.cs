using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Storage;

/// <summary>
/// The whole server in-process with an S3 location in a bucket of its own on a real Ceph RGW: the four interfaces go
/// through the bucket, mode 1 lists it, pool mode keeps a disk copy and an S3 copy all-or-nothing, and no path reaches
/// a key outside the location's prefix.
/// </summary>
public sealed class S3ServerTests : IAsyncLifetime
{
    private const string Prefix = "ccfs/";
    private const string Unavailable = "The service is temporarily unavailable, try again later.";

    private CephRgw _rgw = null!;
    private TestBucket _bucket = null!;
    private readonly List<CcfsFactory> _factories = [];

    public async Task InitializeAsync()
    {
        _rgw = await CephRgw.SharedAsync();
        _bucket = await _rgw.NewBucketAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var factory in _factories)
        {
            factory.Dispose();
        }

        await _bucket.DisposeAsync();
    }

    [Fact]
    public async Task Upload_hash_download_and_delete_go_through_the_bucket()
    {
        var factory = Server(_rgw.Location(0, "0", _bucket, Prefix));
        var wav = Samples.Read("valid", "alaw-8k-with-list-chunk.wav");
        var client = factory.Signed();

        var fileName = await client.StoreAsync(wav);

        var key = Prefix + fileName[3..];
        Assert.Equal([key], await _bucket.KeysAsync());
        Assert.Equal(wav, await _bucket.GetAsync(key));
        Assert.False(Directory.Exists(Path.Combine(factory.DataDir, "locations")));
        Assert.Equal(["0"], (await factory.FindAsync(fileName[2..]))!.Locations);

        var hash = await CcfsAnswer.AssertTripleAsync(await client.HashAsync(fileName), "0", "success");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wav)), hash.GetProperty("resultData").GetProperty("hash").GetString());

        var download = await client.DownloadAsync(fileName);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(wav.Length, download.Content.Headers.ContentLength);
        Assert.Equal(wav, await download.Content.ReadAsByteArrayAsync());

        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName), "0", "success");
        Assert.Empty(await _bucket.KeysAsync());
        Assert.Null(await factory.FindAsync(fileName[2..]));
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName), "0300011", "The file does not exist.");
        await CcfsAnswer.AssertTripleAsync(await client.DownloadAsync(fileName), "0300011", "The file does not exist.");
    }

    [Fact]
    public async Task Readiness_proves_the_bucket_can_be_written_and_names_it_when_it_is_gone()
    {
        var factory = Server(_rgw.Location(0, "0", _bucket, Prefix));
        var http = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Empty(await _bucket.KeysAsync());

        await _bucket.Client.DeleteBucketAsync(_bucket.Name);
        var ready = await http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var location = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks")
            .EnumerateArray().Single(c => c.GetProperty("name").GetString() == "location:0");
        Assert.Contains($"the bucket '{_bucket.Name}' does not exist", location.GetProperty("description").GetString(), StringComparison.Ordinal);
        await _bucket.Client.PutBucketAsync(_bucket.Name);
    }

    [Fact]
    public async Task Mode_1_lists_the_folder_in_the_bucket()
    {
        var factory = Server(_rgw.Location(0, "0", _bucket, Prefix));
        var recording = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");
        await _bucket.PutAsync($"{Prefix}voice/53/IVRrecordFile/call-one/only.wav", recording);
        await _bucket.PutAsync($"{Prefix}voice/53/IVRrecordFile/call-one/.hidden", [1, 2, 3]);
        await _bucket.PutAsync($"{Prefix}voice/53/IVRrecordFile/call-one/sub/other.wav", Samples.Sine);
        await _bucket.PutAsync($"{Prefix}voice/53/IVRrecordFile/two/a.wav", Samples.Sine);
        await _bucket.PutAsync($"{Prefix}voice/53/IVRrecordFile/two/b.wav", Samples.Sine);
        var client = factory.Signed();

        var response = await client.DownloadAsync("Y:/voice/53/IVRrecordFile/call-one", 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("only.wav", response.Content.Headers.ContentDisposition!.FileNameStar);
        Assert.Equal(recording, await response.Content.ReadAsByteArrayAsync());
        await CcfsAnswer.AssertTripleAsync(await client.DownloadAsync("Y:/voice/53/IVRrecordFile/two", 1),
            "0300004", "The format of filePath is incorrect.");
        await CcfsAnswer.AssertTripleAsync(await client.DownloadAsync("Y:/voice/53/IVRrecordFile/none", 1),
            "0300011", "The file does not exist.");
        await CcfsAnswer.AssertTripleAsync(await client.DownloadAsync("Y:/voice/53/IVRrecordFile/call-one/sub/other.wav/x", 1),
            "0300011", "The file does not exist.");
    }

    [Fact]
    public async Task Pool_mode_keeps_a_disk_copy_and_an_S3_copy_of_every_file()
    {
        var factory = Server(new Dictionary<string, string?> { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:0:Kind"] = "Disk" }.Concat(_rgw.Location(1, "256", _bucket)));
        var wav = Samples.ALawOfSize(300_000);
        var client = factory.Signed();

        var fileName = await client.StoreAsync(wav);

        Assert.Equal(wav, await File.ReadAllBytesAsync(Path.Combine(factory.LocationRoot("0"), fileName[3..])));
        Assert.Equal(wav, await _bucket.GetAsync(fileName[3..]));
        Assert.Equal(["0", "256"], (await factory.FindAsync(fileName[2..]))!.Locations.Order(StringComparer.Ordinal));
        var hash = await CcfsAnswer.AssertTripleAsync(await client.HashAsync(fileName, "256"), "0", "success");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wav)), hash.GetProperty("resultData").GetProperty("hash").GetString());

        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName, "256"), "0", "success");
        Assert.Empty(await _bucket.KeysAsync());
        Assert.True(File.Exists(Path.Combine(factory.LocationRoot("0"), fileName[3..])));
        Assert.Equal(["0"], (await factory.FindAsync(fileName[2..]))!.Locations);
        Assert.Equal(wav, await (await client.DownloadAsync(fileName)).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task In_pool_mode_an_upload_the_bucket_cannot_take_keeps_nothing_anywhere()
    {
        var factory = Server(new Dictionary<string, string?> { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:0:Kind"] = "Disk" }.Concat(_rgw.Location(1, "256", _bucket)));
        await factory.Signed().StoreAsync(Samples.Sine);
        var before = factory.Snapshot();
        var keys = await _bucket.KeysAsync();
        await _bucket.Client.DeleteObjectAsync(_bucket.Name, keys.Single());
        await _bucket.Client.DeleteBucketAsync(_bucket.Name);

        var response = await factory.Signed().UploadAsync(Samples.ALawOfSize(10_000));

        await CcfsAnswer.AssertTripleAsync(response, "0300503", Unavailable, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(before, factory.Snapshot());
        await _bucket.Client.PutBucketAsync(_bucket.Name);
    }

    [Theory]
    [InlineData("Y:/3rdfile/53/thirdvoicebotfile/../../../secret.wav")]
    [InlineData("Y:/3rdfile/53/thirdvoicebotfile/..%2f..%2f..%2fsecret.wav")]
    [InlineData("Y:/3rdfile/53/thirdvoicebotfile/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.wav")]
    [InlineData("Y:/3rdfile/53/thirdvoicebotfile/../../54/thirdvoicebotfile/theirs.wav")]
    [InlineData("Y:/.ccfs-probe/x")]
    public async Task A_path_that_climbs_out_is_refused_and_reaches_no_object(string path)
    {
        var factory = Server(_rgw.Location(0, "0", _bucket, Prefix));
        byte[] secret = [1, 2, 3];
        await _bucket.PutAsync("secret.wav", secret);
        await _bucket.PutAsync($"{Prefix}secret.wav", secret);
        await _bucket.PutAsync($"{Prefix}3rdfile/54/thirdvoicebotfile/theirs.wav", secret);
        var client = factory.Signed();

        foreach (var (call, field) in new (Func<Task<HttpResponseMessage>>, string)[]
        {
            (() => client.DeleteAsync(path), "fileName"),
            (() => client.HashAsync(path), "fileName"),
            (() => client.DownloadAsync(path), "filePath"),
            (() => client.DownloadAsync(path, 1), "filePath"),
        })
        {
            await CcfsAnswer.AssertTripleAsync(await call(), "0300004", $"The format of {field} is incorrect.");
        }

        Assert.Equal([$"{Prefix}3rdfile/54/thirdvoicebotfile/theirs.wav", $"{Prefix}secret.wav", "secret.wav"], await _bucket.KeysAsync());
        Assert.Equal(secret, await _bucket.GetAsync("secret.wav"));
    }

    [Fact]
    public async Task A_server_whose_store_does_not_answer_at_start_starts_logs_it_and_is_not_ready()
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var settings = _rgw.Location(0, "0", _bucket, Prefix);
        settings["Ccfs:Locations:0:S3:ServiceUrl"] = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/";
        settings["Ccfs:Locations:0:S3:Timeout"] = "00:00:01";
        var factory = Server(settings);

        var ready = await factory.CreateClient().GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        // The store's own timeout answers first, unless a loaded machine makes the S3 client's first call outlast
        // readiness's own bound: either way the location is named as the reason.
        var readiness = await ready.Content.ReadAsStringAsync();
        Assert.True(readiness.Contains("no answer within 1 s", StringComparison.Ordinal)
            || readiness.Contains("location 0 did not take a write within the readiness timeout", StringComparison.Ordinal), readiness);
        var warning = Assert.Single(factory.Logs, l => l.Message.Contains("failed for now (slow, busy or out of reach) while its leftover temporary files", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("no answer within 1 s", warning.Exception?.Message, StringComparison.Ordinal);
        Assert.Contains(factory.Logs, l => l.Message == "Unfinished uploads and deletes wait for the next recovery pass: location(s) 0 failed for now");
    }

    private CcfsFactory Server(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var factory = CcfsFactory.With(settings.ToDictionary());
        _factories.Add(factory);
        return factory;
    }
}
