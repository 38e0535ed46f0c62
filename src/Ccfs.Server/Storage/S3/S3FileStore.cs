using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Ccfs.Server.Paths;

namespace Ccfs.Server.Storage.S3;

/// <summary>
/// A location in a bucket of an S3-compatible store (Ceph RGW, Huawei OBS, MinIO, AWS S3): the file
/// <c>voice/1/IVRrecordFile/a.wav</c> is the object <c>{prefix}voice/1/IVRrecordFile/a.wav</c>. Folders do not exist
/// in S3, only keys: a folder is there while some key lies under it. Every write is one PUT carrying the bytes'
/// Content-MD5, which the store checks, so an object is either absent or complete and intact; a new file is written
/// with <c>If-None-Match: *</c>, so it never replaces one. Reads stream from the store. Every operation is bounded by
/// the location's timeout, and every failure of the store is an <see cref="S3StoreException"/> (answered 503).
/// </summary>
public sealed class S3FileStore : IFileStore, IDisposable
{
    /// <summary>Readiness probes live here, under the prefix; no path can reach it and listings leave it out.</summary>
    public const string ProbeFolder = StoragePath.ReservedPrefix + "-probe";

    private const int MaxErrorRetry = 2;

    /// <summary>A read gets this share of the operation's time before a twin request is sent (<see cref="ReadAsync{T}"/>).</summary>
    private const int HedgeAfterShare = 3;

    private readonly S3LocationSettings _settings;
    private readonly string _instance;
    private readonly AmazonS3Client _client;
    private readonly Action<string>? _hedged;

    /// <summary>Cleared the first time the store answers a conditional PUT with 501: it then gets plain PUTs.</summary>
    private volatile bool _conditionalPut = true;

    /// <param name="locationId">The location's id.</param>
    /// <param name="settings">The store, bucket, prefix and credentials.</param>
    /// <param name="instance">This node instance (<see cref="Catalog.NodeIdentity.Instance"/>): it names the readiness
    /// probes written here, so a sweep removes only those of instances that are gone.</param>
    /// <param name="hedged">Told the operation each time a read the store had not answered gets a twin request.</param>
    public S3FileStore(string locationId, S3LocationSettings settings, string instance, Action<string>? hedged = null)
    {
        LocationId = locationId;
        _settings = settings;
        _instance = instance;
        _hedged = hedged;
        _client = new AmazonS3Client(new BasicAWSCredentials(settings.AccessKey, settings.SecretKey), new AmazonS3Config
        {
            ServiceURL = settings.ServiceUrl.ToString(),
            ForcePathStyle = settings.ForcePathStyle,
            AuthenticationRegion = settings.Region,
            // The SDK's default checksums and chunked uploads are refused or mishandled by RGW, Swift and others;
            // the integrity check is the Content-MD5 every PUT carries.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // The location's settings, not AWS_* variables or profiles, say where its bucket is.
            IgnoreConfiguredEndpointUrls = true,
            Timeout = settings.Timeout,
            ConnectTimeout = settings.Timeout < TimeSpan.FromSeconds(5) ? settings.Timeout : TimeSpan.FromSeconds(5),
            MaxErrorRetry = MaxErrorRetry,
        });
    }

    public string LocationId { get; }

    /// <summary>A PUT whose answer was lost may sit in a frozen store's queue and land once it runs again: one timeout after it answers.</summary>
    public TimeSpan LateWriteWindow => _settings.Timeout;

    public S3LocationSettings Settings => _settings;

    /// <summary>Keys per ListObjectsV2 page; smaller in tests, to see listings span pages.</summary>
    internal int ListPageSize { get; init; } = 1000;

    /// <summary>Keeps the bytes (they stay valid until the request ends) and computes their Content-MD5 meanwhile.</summary>
    public Task<IStagedFile> StageAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Stage(content, MD5.HashData(content.Span)));
    }

    /// <summary>Stages bytes with a given MD5: a wrong one shows that the store checks it.</summary>
    internal IStagedFile Stage(ReadOnlyMemory<byte> content, byte[] md5) => new StagedObject(this, content, md5);

    public Task UndoWriteAsync(WrittenCopy copy, CancellationToken cancellationToken)
    {
        var key = Key(copy.Path);
        return CallAsync("undoing a write", token => _client.DeleteObjectAsync(_settings.Bucket, key, token), cancellationToken);
    }

    /// <summary>One PUT: S3 replaces an object atomically, so a reader sees the old bytes or the new ones.</summary>
    public Task ReplaceAsync(StoragePath path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        PutAsync(Key(path), content, MD5.HashData(content.Span), ifNoneMatch: false, cancellationToken);

    public async Task<Stream?> OpenReadAsync(StoragePath path, CancellationToken cancellationToken)
    {
        var key = Key(path);
        try
        {
            var response = await ReadAsync("reading", token => _client.GetObjectAsync(_settings.Bucket, key, token), cancellationToken);
            return new S3ObjectStream(response, (e, timedOut) => Failure(e, "reading", timedOut), _settings.Timeout);
        }
        catch (S3StoreException e) when (IsMissingObject(e))
        {
            return null;
        }
    }

    /// <summary>
    /// The objects directly under the folder, by ListObjectsV2 with the delimiter '/'. A folder exists while some key
    /// lies under it: with only sub-folders or hidden objects the list is empty; with no key at all it is null.
    /// </summary>
    /// <summary>S3 has no links: every key can be deleted.</summary>
    public Task CheckDeletableAsync(StoragePath path, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<string>?> ListFilesAsync(StoragePath folder, CancellationToken cancellationToken)
    {
        var (files, folders) = await ListDelimitedAsync(folder, cancellationToken);
        return files.Count > 0 || folders.Count > 0 ? [.. files.Where(n => n.Length > 0 && !n.StartsWith('.')).Order(StringComparer.Ordinal)] : null;
    }

    /// <summary>The common prefixes of a delimited listing: S3 has no folders, only keys that have more after a '/'.</summary>
    public async Task<IReadOnlyList<string>> ListFoldersAsync(StoragePath? folder, CancellationToken cancellationToken)
    {
        var (_, folders) = await ListDelimitedAsync(folder, cancellationToken);
        return [.. folders.Select(f => f.TrimEnd('/')).Where(n => n.Length > 0 && !n.StartsWith('.') && !n.Contains('/', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every page of a ListObjectsV2 under the folder (null: the root) with the delimiter '/': the keys and the common
    /// prefixes, without the folder's prefix.
    /// </summary>
    private async Task<(List<string> Files, List<string> Folders)> ListDelimitedAsync(StoragePath? folder, CancellationToken cancellationToken)
    {
        var prefix = folder is { } path ? Key(path) + "/" : _settings.Prefix;
        var (files, folders) = (new List<string>(), new List<string>());
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = _settings.Bucket,
                Prefix = prefix,
                Delimiter = "/",
                ContinuationToken = continuation,
                MaxKeys = ListPageSize,
            };
            var page = await ReadAsync("listing", token => _client.ListObjectsV2Async(request, token), cancellationToken);
            files.AddRange((page.S3Objects ?? []).Select(o => o.Key[prefix.Length..]));
            folders.AddRange((page.CommonPrefixes ?? []).Select(c => c[prefix.Length..]));
            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        return (files, folders);
    }

    /// <summary>
    /// One ListObjectsV2 page under the folder's key, from the key <paramref name="after"/> on (StartAfter): S3 lists keys
    /// in UTF-8 byte order, the ordinal order of the ASCII names a path holds, and <c>Next</c> is the page's last key
    /// (whether listed or left out), so a page of hidden objects or folder markers may list none.
    /// </summary>
    public async Task<FileTreePage> ListTreeAsync(StoragePath folder, string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var prefix = Key(folder) + "/";
        var request = new ListObjectsV2Request
        {
            BucketName = _settings.Bucket,
            Prefix = prefix,
            StartAfter = after,
            MaxKeys = Math.Min(limit, ListPageSize),
        };
        var page = await ReadAsync("listing", token => _client.ListObjectsV2Async(request, token), cancellationToken);
        var files = new List<StoredFile>();
        foreach (var item in page.S3Objects ?? [])
        {
            if (Below(folder, item.Key[prefix.Length..]) is { } path)
            {
                files.Add(new StoredFile(path, item.Size ?? 0, Utc(item.LastModified)));
            }
        }

        return new FileTreePage(files, page.IsTruncated == true && page.S3Objects is { Count: > 0 } listed ? listed[^1].Key : null);
    }

    /// <summary>
    /// The object as a listing gives it (ListObjectsV2 from its key, one key): the same time as <see cref="ListTreeAsync"/>,
    /// to the millisecond, where a HEAD's Last-Modified keeps whole seconds and would make the object look older.
    /// </summary>
    public async Task<StoredFile?> StatAsync(StoragePath path, CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = _settings.Bucket, Prefix = Key(path), MaxKeys = 1 };
        var page = await ReadAsync("looking for an object", token => _client.ListObjectsV2Async(request, token), cancellationToken);
        return page.S3Objects is [var item, ..] && item.Key == request.Prefix ? new StoredFile(path, item.Size ?? 0, Utc(item.LastModified)) : null;
    }

    /// <summary>
    /// The path of a key below <paramref name="folder"/>; null for a folder marker, a hidden name, one no path may hold,
    /// or one deeper than a listing looks.
    /// </summary>
    private static StoragePath? Below(StoragePath folder, string rest)
    {
        if (rest.AsSpan().Count('/') > FileTreePage.MaxDepth)
        {
            return null;
        }

        var path = folder;
        foreach (var segment in rest.Split('/'))
        {
            if (segment.StartsWith('.') || !path.TryChild(segment, out path))
            {
                return null;
            }
        }

        return path;
    }

    /// <summary>The SDK gives times in local time, or with no kind at all; the store's are UTC.</summary>
    private static DateTimeOffset Utc(DateTime? time) => time is not { } t
        ? DateTimeOffset.UnixEpoch
        : new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime());

    /// <summary>A HEAD tells whether the object is there, then a DELETE removes it (S3 answers a DELETE alike either way).</summary>
    public async Task<bool> DeleteAsync(StoragePath path, CancellationToken cancellationToken)
    {
        var key = Key(path);
        if (!await KeyExistsAsync(key, cancellationToken))
        {
            return false;
        }

        await CallAsync("deleting", token => _client.DeleteObjectAsync(_settings.Bucket, key, token), cancellationToken);
        return true;
    }

    public Task<bool> ExistsAsync(StoragePath path, CancellationToken cancellationToken) => KeyExistsAsync(Key(path), cancellationToken);

    /// <summary>Deletes every object under the prefix but the server's own, one by one: a reset empties a rehearsal's few files.</summary>
    public async Task<int> ClearAsync(CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = _settings.Bucket,
                Prefix = _settings.Prefix,
                ContinuationToken = continuation,
                MaxKeys = ListPageSize,
            };
            var page = await ReadAsync("listing", token => _client.ListObjectsV2Async(request, token), cancellationToken);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key)
                .Where(k => !k[(_settings.Prefix?.Length ?? 0)..].StartsWith(Paths.StoragePath.ReservedPrefix, StringComparison.Ordinal)));
            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        foreach (var key in keys)
        {
            await CallAsync("deleting", token => _client.DeleteObjectAsync(_settings.Bucket, key, token), cancellationToken);
        }

        return keys.Count(k => !k.EndsWith('/'));
    }

    /// <summary>Writes and deletes a probe object under <see cref="ProbeFolder"/>; the probe goes even if the PUT failed half-way.</summary>
    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        var key = $"{_settings.Prefix}{ProbeFolder}/{_instance}-{Guid.NewGuid():N}";
        byte[] probe = [1];
        try
        {
            await PutAsync(key, probe, MD5.HashData(probe), ifNoneMatch: false, cancellationToken);
        }
        catch
        {
            try
            {
                await CallAsync("removing the readiness probe", token => _client.DeleteObjectAsync(_settings.Bucket, key, token),
                    cancellationToken);
            }
            catch (S3StoreException)
            {
                // The write's failure is the one to report; a probe left behind is swept as this instance's.
            }

            throw;
        }

        await CallAsync("removing the readiness probe", token => _client.DeleteObjectAsync(_settings.Bucket, key, token), cancellationToken);
    }

    /// <summary>Removes the readiness probes of instances not in <paramref name="liveInstances"/>; S3 writes leave nothing else.</summary>
    /// <summary>A bucket is not mounted: one out of reach fails its calls, and never takes files somewhere else.</summary>
    public Task<LocationOpening> OpenAsync(Func<CancellationToken, Task<bool>> holdsCopies, CancellationToken cancellationToken) =>
        Task.FromResult(LocationOpening.Known);

    public async Task SweepTemporaryFilesAsync(IReadOnlySet<string> liveInstances, CancellationToken cancellationToken)
    {
        var prefix = $"{_settings.Prefix}{ProbeFolder}/";
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = _settings.Bucket,
                Prefix = prefix,
                ContinuationToken = continuation,
                MaxKeys = ListPageSize,
            };
            var page = await ReadAsync("listing readiness probes", token => _client.ListObjectsV2Async(request, token), cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                var name = item.Key[prefix.Length..];
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                if (dash < 0 || !liveInstances.Contains(name[..dash]))
                {
                    await CallAsync("removing a readiness probe", token => _client.DeleteObjectAsync(_settings.Bucket, item.Key, token),
                        cancellationToken);
                }
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// One PUT of the whole object with its Content-MD5, which the store verifies. With <paramref name="ifNoneMatch"/>,
    /// the store refuses a key that exists (412) and this returns false, unless the object there is this very write:
    /// the SDK retries a PUT whose answer was lost, and the retry finds its own object.
    /// </summary>
    private async Task<bool> PutAsync(string key, ReadOnlyMemory<byte> content, byte[] md5, bool ifNoneMatch,
        CancellationToken cancellationToken)
    {
        var conditional = ifNoneMatch && _conditionalPut;
        try
        {
            await CallAsync("writing", token => _client.PutObjectAsync(PutRequest(key, content, md5, conditional), token), cancellationToken);
            return true;
        }
        catch (S3StoreException e) when (conditional && e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed })
        {
            var existing = await ReadAsync("checking an existing object",
                token => _client.GetObjectMetadataAsync(_settings.Bucket, key, token), cancellationToken);
            return string.Equals(existing.ETag?.Trim('"'), Convert.ToHexStringLower(md5), StringComparison.OrdinalIgnoreCase);
        }
        catch (S3StoreException e) when (conditional && e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.NotImplemented })
        {
            // A store that does not know If-None-Match on PUT: the catalog's reservation of names is what keeps them unique.
            _conditionalPut = false;
            return await PutAsync(key, content, md5, ifNoneMatch: false, cancellationToken);
        }
    }

    private PutObjectRequest PutRequest(string key, ReadOnlyMemory<byte> content, byte[] md5, bool ifNoneMatch)
    {
        var request = new PutObjectRequest
        {
            BucketName = _settings.Bucket,
            Key = key,
            InputStream = AsStream(content),
            UseChunkEncoding = false,
            ContentType = "application/octet-stream",
        };
        request.Headers.ContentMD5 = Convert.ToBase64String(md5);
        if (ifNoneMatch)
        {
            request.IfNoneMatch = "*";
        }

        return request;
    }

    /// <summary>The bytes as a stream without copying them, as long as they live in an array (request bodies do).</summary>
    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private async Task<bool> KeyExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await ReadAsync("looking for an object", token => _client.GetObjectMetadataAsync(_settings.Bucket, key, token), cancellationToken);
            return true;
        }
        catch (S3StoreException e) when (IsMissingObject(e))
        {
            // A HEAD answer has no body to tell a missing key from a missing bucket; readiness reports the latter.
            return false;
        }
    }

    private static bool IsMissingObject(S3StoreException e) =>
        e.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound } s && s.ErrorCode != "NoSuchBucket";

    /// <summary>Runs one operation (the SDK's retries included) within the location's timeout; the store's failures become <see cref="S3StoreException"/>.</summary>
    private async Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_settings.Timeout);
        try
        {
            return await call(deadline.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && Failure(e, operation, deadline.IsCancellationRequested) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// <see cref="CallAsync{T}"/> for a read (HEAD, GET, a listing), hedged: stores now and then drop a request while the
    /// next is served at once (the one-node RGW of the tests leaves one unanswered for 30 s), so a read still unanswered
    /// after a third of the timeout gets a twin, and whichever answers first is the answer; the other is cancelled, and
    /// its response, should it come, disposed. A slow store that answers still answers in time, at the cost of one more
    /// request. Reads only: a write or a delete sent twice could land after a later write of the same name.
    /// </summary>
    private async Task<T> ReadAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_settings.Timeout);
        using var first = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        using var twin = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        try
        {
            var asked = call(first.Token);
            var waited = Task.Delay(_settings.Timeout / HedgeAfterShare, TimeProvider.System, deadline.Token);
            if (await Task.WhenAny(asked, waited) == asked || deadline.IsCancellationRequested)
            {
                return await asked;
            }

            _hedged?.Invoke(operation);
            var askedAgain = call(twin.Token);
            var answered = await Task.WhenAny(asked, askedAgain);
            var (other, otherCancel) = answered == asked ? (askedAgain, twin) : (asked, first);
            await otherCancel.CancelAsync();
            _ = DisposeWhenDoneAsync(other);
            return await answered;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && Failure(e, operation, deadline.IsCancellationRequested) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>The losing twin's response, if it still comes, is disposed; its failure (a cancellation) is nobody's.</summary>
    private static async Task DisposeWhenDoneAsync<T>(Task<T> loser)
    {
        try
        {
            (await loser as IDisposable)?.Dispose();
        }
        catch (Exception)
        {
            // Cancelled, as asked, or failed after the other answered: either way, not the answer.
        }
    }

    private S3StoreException? Failure(Exception e, string operation, bool timedOut) =>
        S3StoreException.From(e, LocationId, _settings, operation, timedOut);

    /// <summary>The object key of a path: the prefix and the path as made (<see cref="StoragePath"/> checked its segments).</summary>
    internal string Key(StoragePath path) => _settings.Prefix + path.Value;

    /// <summary>Bytes and their MD5, waiting for their name; nothing is in the store until they are placed.</summary>
    private sealed class StagedObject(S3FileStore store, ReadOnlyMemory<byte> content, byte[] md5) : IStagedFile
    {
        public async Task<WrittenCopy> PlaceAsync(StoragePath path, CancellationToken cancellationToken)
        {
            if (!await store.PutAsync(store.Key(path), content, md5, ifNoneMatch: true, cancellationToken))
            {
                throw new FileAlreadyExistsException(path.Value);
            }

            return new WrittenCopy(path, []);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
