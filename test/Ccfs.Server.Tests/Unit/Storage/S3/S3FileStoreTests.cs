using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ccfs.Server.Storage;
using Ccfs.Server.Storage.S3;

namespace Ccfs.Server.Tests.Unit.Storage.S3;

/// <summary>
/// The IFileStore contract of an S3 location, against a real Ceph RGW (<see cref="CephRgw"/>), each test in a bucket of
/// its own, with the key prefix <c>ccfs/</c>: what is written is read back byte for byte, the store checks Content-MD5,
/// names are never overwritten, listings follow folders, and a store that fails or does not answer is an IOException.
/// </summary>
public sealed class S3FileStoreTests : IAsyncLifetime
{
    private const string Prefix = "ccfs/";
    private const string Folder = "3rdfile/53/thirdvoicebotfile";

    private CephRgw _rgw = null!;
    private TestBucket _bucket = null!;
    private S3FileStore _store = null!;

    public async Task InitializeAsync()
    {
        _rgw = await CephRgw.SharedAsync();
        _bucket = await _rgw.NewBucketAsync();
        _store = Store(_bucket.Name);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _bucket.DisposeAsync();
    }

    [Fact]
    public async Task A_staged_file_placed_under_its_name_reads_back_byte_for_byte_under_the_prefix()
    {
        var content = RandomNumberGenerator.GetBytes(1024 * 1024 + 17);

        var copy = await _store.WriteAsync($"{Folder}/a.wav", content, CancellationToken.None);

        Assert.Equal($"{Folder}/a.wav", copy.Path.Value);
        Assert.Empty(copy.CreatedFolders);
        Assert.Equal([$"{Prefix}{Folder}/a.wav"], await _bucket.KeysAsync());
        Assert.Equal(content, await _bucket.GetAsync($"{Prefix}{Folder}/a.wav"));
        await using var read = await _store.OpenReadAsync($"{Folder}/a.wav", CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(content.Length, read.Length);
        Assert.Equal(content, await ReadAllAsync(read));
        Assert.True(await _store.ExistsAsync($"{Folder}/a.wav", CancellationToken.None));
    }

    [Fact]
    public async Task Nothing_is_in_the_store_until_the_staged_bytes_are_placed()
    {
        await using (var staged = await _store.StageAsync(Samples.Sine, CancellationToken.None))
        {
            Assert.Empty(await _bucket.KeysAsync());
        }

        Assert.Empty(await _bucket.KeysAsync());
    }

    [Fact]
    public async Task A_wrong_Content_MD5_is_refused_by_the_store_and_nothing_is_stored()
    {
        var content = RandomNumberGenerator.GetBytes(64 * 1024);
        var wrong = MD5.HashData(content);
        wrong[0] ^= 1;

        await using var staged = _store.Stage(content, wrong);
        var failure = await Assert.ThrowsAsync<S3StoreException>(() => staged.PlaceAsync($"{Folder}/a.wav", CancellationToken.None));

        Assert.IsAssignableFrom<IOException>(failure);
        Assert.Contains("BadDigest", failure.Message, StringComparison.Ordinal);
        Assert.Empty(await _bucket.KeysAsync());
        Assert.Null(await _store.OpenReadAsync($"{Folder}/a.wav", CancellationToken.None));
    }

    [Fact]
    public async Task A_name_that_exists_is_refused_and_its_bytes_stay()
    {
        var first = RandomNumberGenerator.GetBytes(1000);
        await _store.WriteAsync($"{Folder}/a.wav", first, CancellationToken.None);

        await using var other = await _store.StageAsync(RandomNumberGenerator.GetBytes(1000), CancellationToken.None);
        var refusal = await Assert.ThrowsAsync<FileAlreadyExistsException>(() => other.PlaceAsync($"{Folder}/a.wav", CancellationToken.None));

        Assert.Contains($"{Folder}/a.wav", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(first, await _bucket.GetAsync($"{Prefix}{Folder}/a.wav"));

        // The same staged bytes may then take another name, as an upload does.
        await other.PlaceAsync($"{Folder}/b.wav", CancellationToken.None);
        Assert.Equal([$"{Prefix}{Folder}/a.wav", $"{Prefix}{Folder}/b.wav"], await _bucket.KeysAsync());
    }

    [Fact]
    public async Task Placing_the_same_bytes_again_under_their_name_is_the_same_write_and_succeeds()
    {
        // What a retried PUT whose first answer was lost meets: its own object.
        var content = RandomNumberGenerator.GetBytes(1000);
        await using var staged = await _store.StageAsync(content, CancellationToken.None);
        await staged.PlaceAsync($"{Folder}/a.wav", CancellationToken.None);

        await staged.PlaceAsync($"{Folder}/a.wav", CancellationToken.None);

        Assert.Equal(content, await _bucket.GetAsync($"{Prefix}{Folder}/a.wav"));
    }

    [Fact]
    public async Task Replacing_puts_the_new_bytes_whether_or_not_a_file_is_there()
    {
        var replacement = RandomNumberGenerator.GetBytes(2000);
        await _store.WriteAsync($"{Folder}/a.wav", RandomNumberGenerator.GetBytes(1000), CancellationToken.None);

        await _store.ReplaceAsync($"{Folder}/a.wav", replacement, CancellationToken.None);
        await _store.ReplaceAsync($"{Folder}/new.wav", replacement, CancellationToken.None);

        Assert.Equal(replacement, await _bucket.GetAsync($"{Prefix}{Folder}/a.wav"));
        Assert.Equal(replacement, await _bucket.GetAsync($"{Prefix}{Folder}/new.wav"));
    }

    [Fact]
    public async Task Deleting_tells_whether_the_file_existed()
    {
        await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);

        Assert.True(await _store.DeleteAsync($"{Folder}/a.wav", CancellationToken.None));
        Assert.False(await _store.DeleteAsync($"{Folder}/a.wav", CancellationToken.None));
        Assert.False(await _store.DeleteAsync($"{Folder}/never.wav", CancellationToken.None));

        Assert.False(await _store.ExistsAsync($"{Folder}/a.wav", CancellationToken.None));
        Assert.Null(await _store.OpenReadAsync($"{Folder}/a.wav", CancellationToken.None));
        Assert.Empty(await _bucket.KeysAsync());
    }

    [Fact]
    public async Task Undoing_a_write_removes_the_object()
    {
        await _store.WriteAsync($"{Folder}/kept.wav", Samples.Sine, CancellationToken.None);
        var copy = await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);

        await _store.UndoWriteAsync(copy, CancellationToken.None);

        Assert.Equal([$"{Prefix}{Folder}/kept.wav"], await _bucket.KeysAsync());
    }

    [Fact]
    public async Task A_folder_lists_the_files_directly_in_it_sorted_without_hidden_ones_across_pages()
    {
        using var store = Store(_bucket.Name, listPageSize: 7);
        var names = Enumerable.Range(0, 30).Select(i => $"f{29 - i:D2}.wav").ToList();
        await Task.WhenAll(names.Select(n => _bucket.PutAsync($"{Prefix}{Folder}/{n}", [1]))
            .Concat(Enumerable.Range(0, 5).Select(i => _bucket.PutAsync($"{Prefix}{Folder}/sub{i}/inner.wav", [1])))
            .Append(_bucket.PutAsync($"{Prefix}{Folder}/.hidden", [1]))
            .Append(_bucket.PutAsync($"{Prefix}{Folder}/", []))
            .Append(_bucket.PutAsync($"{Prefix}{Folder}2/neighbour.wav", [1]))
            .Append(_bucket.PutAsync($"{Folder}/outside-the-prefix.wav", [1])));

        var listed = await store.ListFilesAsync(Folder, CancellationToken.None);

        Assert.Equal(names.Order(StringComparer.Ordinal), listed);
        Assert.Equal(["inner.wav"], await store.ListFilesAsync($"{Folder}/sub3", CancellationToken.None));
        Assert.Equal(["neighbour.wav"], await store.ListFilesAsync($"{Folder}2", CancellationToken.None));
    }

    [Fact]
    public async Task A_folder_tree_lists_every_file_below_it_in_key_order_with_size_and_time_a_page_at_a_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        string[] files = ["20261201/093012-record.wav", "20261201/a.wav", "20261201/a/b.wav", "top.wav"];
        await Task.WhenAll(files.Select((f, i) => _bucket.PutAsync($"{Prefix}{Folder}/{f}", new byte[i + 1]))
            .Append(_bucket.PutAsync($"{Prefix}{Folder}/20261201/.partial.wav", [1]))
            .Append(_bucket.PutAsync($"{Prefix}{Folder}/.hidden/x.wav", [1]))
            .Append(_bucket.PutAsync($"{Prefix}{Folder}/20261202/", []))
            .Append(_bucket.PutAsync($"{Prefix}{Folder}2/neighbour.wav", [1]))
            .Append(_bucket.PutAsync($"{Folder}/outside-the-prefix.wav", [1])));

        var listed = new List<StoredFile>();
        string? after = null;
        do
        {
            var page = await _store.ListTreeAsync(StoreByRelativePath.Path(Folder), after, 2, CancellationToken.None);
            Assert.True(page.Files.Count <= 2);
            listed.AddRange(page.Files);
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(files, listed.Select(f => f.Path.Value[(Folder.Length + 1)..]));
        Assert.Equal([1L, 2, 3, 4], listed.Select(f => f.SizeBytes));
        Assert.All(listed, f => Assert.InRange(f.LastModified, before, DateTimeOffset.UtcNow.AddSeconds(5)));
        var missing = await _store.ListTreeAsync(StoreByRelativePath.Path("voice/54"), null, 10, CancellationToken.None);
        Assert.Empty(missing.Files);
        Assert.Null(missing.Next);
    }

    [Fact]
    public async Task A_listing_leaves_out_keys_more_than_max_depth_folders_down()
    {
        var deepest = string.Join('/', Enumerable.Repeat("b", FileTreePage.MaxDepth));
        await _bucket.PutAsync($"{Prefix}{Folder}/{deepest}/kept.wav", [1]);
        await _bucket.PutAsync($"{Prefix}{Folder}/{deepest}/b/too-deep.wav", [1]);

        var listed = Assert.Single((await _store.ListTreeAsync(StoreByRelativePath.Path(Folder), null, 10, CancellationToken.None)).Files);

        Assert.Equal($"{Folder}/{deepest}/kept.wav", listed.Path.Value);
    }

    [Fact]
    public async Task A_file_is_looked_at_with_its_size_and_time_and_a_missing_one_is_none()
    {
        await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);

        var stat = await _store.StatAsync(StoreByRelativePath.Path($"{Folder}/a.wav"), CancellationToken.None);
        var listed = Assert.Single((await _store.ListTreeAsync(StoreByRelativePath.Path(Folder), null, 10, CancellationToken.None)).Files);

        Assert.NotNull(stat);
        Assert.Equal(listed, stat);
        Assert.Equal(Samples.Sine.Length, stat.SizeBytes);
        Assert.Null(await _store.StatAsync(StoreByRelativePath.Path($"{Folder}/b.wav"), CancellationToken.None));
    }

    [Fact]
    public async Task A_folder_with_no_key_under_it_is_none_and_one_with_only_sub_folders_is_empty()
    {
        await _bucket.PutAsync($"{Prefix}voice/1/IVRrecordFile/day/a.wav", [1]);
        await _bucket.PutAsync($"{Prefix}voice/1/only-hidden/.x", [1]);

        Assert.Null(await _store.ListFilesAsync("voice/2", CancellationToken.None));
        Assert.Null(await _store.ListFilesAsync("voice/1/IVRrecordFile/day/a.wav", CancellationToken.None));
        Assert.Equal([], await _store.ListFilesAsync("voice/1/IVRrecordFile", CancellationToken.None));
        Assert.Equal([], await _store.ListFilesAsync("voice/1/only-hidden", CancellationToken.None));
    }

    [Fact]
    public async Task The_folders_in_a_folder_are_the_common_prefixes_hidden_ones_and_files_left_out()
    {
        await _bucket.PutAsync($"{Prefix}voice/53/a.wav", [1]);
        await _bucket.PutAsync($"{Prefix}voice/54/IVRrecordFile/day/b.wav", [1]);
        await _bucket.PutAsync($"{Prefix}voice/.hidden/c.wav", [1]);
        await _bucket.PutAsync($"{Prefix}voice/top.wav", [1]);
        // Outside the location's prefix: another location's, or nobody's.
        await _bucket.PutAsync("elsewhere/55/d.wav", [1]);

        Assert.Equal(["53", "54"], await _store.ListFoldersAsync(StoreByRelativePath.Path("voice"), CancellationToken.None));
        Assert.Empty(await _store.ListFoldersAsync(StoreByRelativePath.Path("3rdfile"), CancellationToken.None));
        Assert.Equal(["voice"], await _store.ListFoldersAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task A_folder_or_a_missing_key_opens_as_no_file()
    {
        await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);

        Assert.Null(await _store.OpenReadAsync(Folder, CancellationToken.None));
        Assert.Null(await _store.OpenReadAsync($"{Folder}/b.wav", CancellationToken.None));
        Assert.False(await _store.ExistsAsync(Folder, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/3rdfile/a.wav")]
    [InlineData("3rdfile//a.wav")]
    [InlineData("3rdfile/../a.wav")]
    [InlineData("../a.wav")]
    [InlineData("3rdfile/./a.wav")]
    [InlineData("3rdfile/a\\..\\b.wav")]
    [InlineData("3rdfile/a\0.wav")]
    [InlineData(".ccfs-probe/x-1")]
    public async Task A_path_that_is_not_a_plain_relative_one_is_refused_by_every_operation(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteAsync(path, Samples.Sine, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ReplaceAsync(path, Samples.Sine, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(path, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ListFilesAsync(path, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(path, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ExistsAsync(path, CancellationToken.None));

        Assert.Empty(await _bucket.KeysAsync());
    }

    [Fact]
    public async Task Readiness_writes_and_removes_a_probe()
    {
        await _store.CheckWritableAsync(CancellationToken.None);

        Assert.Empty(await _bucket.KeysAsync());
    }

    [Fact]
    public async Task Readiness_against_a_bucket_that_does_not_exist_fails_with_the_reason()
    {
        using var store = Store("ccfs-no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);

        var failure = await Assert.ThrowsAsync<S3StoreException>(() => store.CheckWritableAsync(CancellationToken.None));

        Assert.Contains("does not exist", failure.Message, StringComparison.Ordinal);
        Assert.Contains("location s3", failure.Message, StringComparison.Ordinal);
        Assert.False(failure.Transient);
    }

    [Fact]
    public async Task Readiness_with_a_wrong_secret_key_fails_with_the_reason_and_leaves_no_probe()
    {
        using var store = Store(_bucket.Name, secretKey: "not-the-secret-key");

        var failure = await Assert.ThrowsAsync<S3StoreException>(() => store.CheckWritableAsync(CancellationToken.None));

        Assert.Contains("access denied", failure.Message, StringComparison.Ordinal);
        Assert.False(failure.Transient);
        Assert.DoesNotContain("not-the-secret-key", failure.Message, StringComparison.Ordinal);
        Assert.Empty(await _bucket.KeysAsync());
    }

    [Fact]
    public async Task A_sweep_removes_the_probes_of_instances_that_are_gone_and_nothing_else()
    {
        await _bucket.PutAsync($"{Prefix}{S3FileStore.ProbeFolder}/gone01-1", [1]);
        await _bucket.PutAsync($"{Prefix}{S3FileStore.ProbeFolder}/gone01-2", [1]);
        await _bucket.PutAsync($"{Prefix}{S3FileStore.ProbeFolder}/live01-1", [1]);
        await _bucket.PutAsync($"{Prefix}{S3FileStore.ProbeFolder}/nodash", [1]);
        await _bucket.PutAsync($"{Prefix}{Folder}/gone01-1", [1]);
        await _bucket.PutAsync($"{S3FileStore.ProbeFolder}/gone01-1", [1]);

        await _store.SweepTemporaryFilesAsync(new HashSet<string> { "live01" }, CancellationToken.None);

        Assert.Equal([$"{S3FileStore.ProbeFolder}/gone01-1", $"{Prefix}{S3FileStore.ProbeFolder}/live01-1", $"{Prefix}{Folder}/gone01-1"],
            await _bucket.KeysAsync());
    }

    [Fact]
    public async Task A_store_that_refuses_connections_fails_every_operation_with_an_IOException()
    {
        using var store = Store(_bucket.Name, serviceUrl: new Uri($"http://127.0.0.1:{ClosedPort()}"), timeout: TimeSpan.FromSeconds(5));

        foreach (var operation in Operations(store))
        {
            var failure = await Assert.ThrowsAsync<S3StoreException>(() => operation().WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("cannot be reached", failure.Message, StringComparison.Ordinal);
            Assert.True(failure.Transient);
        }
    }

    [Fact]
    public async Task A_store_that_accepts_but_never_answers_fails_within_its_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var store = Store(_bucket.Name, serviceUrl: new Uri($"http://127.0.0.1:{port}"), timeout: TimeSpan.FromSeconds(1));

        foreach (var operation in Operations(store).Take(3))
        {
            var failure = await Assert.ThrowsAsync<S3StoreException>(() => operation().WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("no answer within 1 s", failure.Message, StringComparison.Ordinal);
            Assert.True(failure.Transient);
        }
    }

    [Fact]
    public async Task A_read_the_store_leaves_unanswered_gets_a_twin_within_the_timeout_and_the_operation_succeeds()
    {
        await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);
        (string Name, Func<S3FileStore, Task> Run)[] operations =
        [
            ("looking for an object", async store => Assert.True(await store.ExistsAsync($"{Folder}/a.wav", CancellationToken.None))),
            ("reading", async store =>
            {
                await using var read = await store.OpenReadAsync($"{Folder}/a.wav", CancellationToken.None);
                Assert.Equal(Samples.Sine, await ReadAllAsync(read!));
            }),
            ("listing", async store => Assert.Equal(["a.wav"], await store.ListFilesAsync(Folder, CancellationToken.None))),
            // A delete looks first (a read, hedged), then deletes (never sent twice).
            ("looking for an object", async store => Assert.True(await store.DeleteAsync($"{Folder}/a.wav", CancellationToken.None))),
        ];

        foreach (var (name, run) in operations)
        {
            await using var relay = new StallingRelay(_rgw.ServiceUrl, stallFirst: 1);
            var hedged = new List<string>();
            using var store = Store(_bucket.Name, serviceUrl: relay.Url, timeout: TimeSpan.FromSeconds(6), hedged: hedged.Add);

            // Without the twin, the stalled request would use the whole 6 s and fail with "no answer within 6 s".
            await run(store);

            Assert.Equal([name], hedged);
            Assert.True(relay.Connections >= 2, $"{name}: {relay.Connections} connection(s)");
        }

        Assert.Empty(await _bucket.KeysAsync());
    }

    [Fact]
    public async Task A_slow_store_that_answers_within_the_timeout_is_answered_in_time_though_its_reads_get_a_twin()
    {
        await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);
        await using var relay = new StallingRelay(_rgw.ServiceUrl, stallFirst: 0, answerDelay: TimeSpan.FromSeconds(1.5));
        var hedged = new List<string>();
        using var store = Store(_bucket.Name, serviceUrl: relay.Url, timeout: TimeSpan.FromSeconds(3), hedged: hedged.Add);

        // Each connection's answers come 1.5 s late: the twin goes at 1 s, and the first answer, at 1.5 s, is used.
        Assert.True(await store.ExistsAsync($"{Folder}/a.wav", CancellationToken.None));

        Assert.Equal(["looking for an object"], hedged);
    }

    [Fact]
    public async Task A_put_or_a_delete_left_unanswered_keeps_the_whole_timeout_and_is_never_sent_twice()
    {
        var copy = await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);
        await using var relay = new StallingRelay(_rgw.ServiceUrl, stallFirst: 100);
        var hedged = new List<string>();
        using var store = Store(_bucket.Name, serviceUrl: relay.Url, timeout: TimeSpan.FromSeconds(2), hedged: hedged.Add);

        var put = await Assert.ThrowsAsync<S3StoreException>(() => store.WriteAsync($"{Folder}/b.wav", Samples.Sine, CancellationToken.None));
        var delete = await Assert.ThrowsAsync<S3StoreException>(() => store.UndoWriteAsync(copy, CancellationToken.None));

        Assert.Contains("no answer within 2 s", put.Message, StringComparison.Ordinal);
        Assert.Contains("no answer within 2 s", delete.Message, StringComparison.Ordinal);
        Assert.Empty(hedged);
    }

    private static IEnumerable<Func<Task>> Operations(S3FileStore store) =>
    [
        () => store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None),
        () => store.OpenReadAsync($"{Folder}/a.wav", CancellationToken.None),
        () => store.CheckWritableAsync(CancellationToken.None),
        () => store.ListFilesAsync(Folder, CancellationToken.None),
        () => store.DeleteAsync($"{Folder}/a.wav", CancellationToken.None),
        () => store.ExistsAsync($"{Folder}/a.wav", CancellationToken.None),
        () => store.SweepTemporaryFilesAsync(new HashSet<string>(), CancellationToken.None),
    ];

    private S3FileStore Store(string bucket, string? secretKey = null, Uri? serviceUrl = null, TimeSpan? timeout = null, int listPageSize = 1000,
        Action<string>? hedged = null) =>
        new("s3", new S3LocationSettings(serviceUrl ?? _rgw.ServiceUrl, bucket, Prefix, _rgw.AccessKey, secretKey ?? _rgw.SecretKey, "us-east-1",
            ForcePathStyle: true, timeout ?? TimeSpan.FromSeconds(30)), "inst01", hedged)
        { ListPageSize = listPageSize };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
