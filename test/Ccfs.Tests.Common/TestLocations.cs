using System.Text.RegularExpressions;

namespace Ccfs.Tests;

/// <summary>
/// The locations of one test server: folders under its data dir, or, in a run against S3 (<c>CCFS_TEST_STORE=s3</c>),
/// a bucket of its own per location, with the same ids. Tests read and change a location past ccfs through it, whichever
/// the kind, by the path a file has under the location (<c>voice/53/…</c>).
/// </summary>
public sealed partial class TestLocations(string dataDir)
{
    private readonly Dictionary<string, TestBucket> _buckets = [];
    private readonly Dictionary<string, string> _settings = [];

    /// <summary>The bucket of each location placed in S3, by location id.</summary>
    public IReadOnlyDictionary<string, TestBucket> Buckets => _buckets;

    /// <summary>The settings (<c>Ccfs:Locations:N:…</c>) that put locations in S3; empty when they are on disk.</summary>
    public IReadOnlyDictionary<string, string> S3Settings => _settings;

    /// <summary>The settings of <see cref="S3Settings"/> as the environment of a server process.</summary>
    public IReadOnlyDictionary<string, string> S3Environment() =>
        _settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);

    /// <summary>
    /// Makes every location that <paramref name="settings"/> configure (location 0 when they configure none) an S3
    /// location in a bucket of its own, unless the settings give it a Path or a Kind; <paramref name="buckets"/> are those
    /// of a server this one restarts. <paramref name="separator"/> is ':' for configuration keys, "__" for environment variables.
    /// </summary>
    public void PlaceInS3(IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, TestBucket>? buckets = null, string separator = ":")
    {
        string Key(int index, string name) => string.Join(separator, "Ccfs", "Locations", index.ToString(System.Globalization.CultureInfo.InvariantCulture), name);
        var indexes = settings.Keys.Select(k => k.Replace(separator, ":", StringComparison.Ordinal)).Select(k => LocationKey().Match(k))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .Distinct().Order().ToList();
        if (indexes.Count == 0)
        {
            indexes.Add(0);
        }

        var rgw = CephRgw.Shared;
        foreach (var index in indexes)
        {
            var id = settings.GetValueOrDefault(Key(index, "Id")) ?? (index == 0 ? "0" : null);
            if (id is null || settings.GetValueOrDefault(Key(index, "Path")) is not null || settings.GetValueOrDefault(Key(index, "Kind")) is not null)
            {
                continue;
            }

            _buckets[id] = buckets?.GetValueOrDefault(id) ?? rgw.NewBucket();
            foreach (var (setting, value) in rgw.Location(index, id, _buckets[id]))
            {
                if (value is not null)
                {
                    _settings[setting] = value;
                }
            }
        }
    }

    /// <summary>The folder of a disk location.</summary>
    public string Root(string id) => Path.Combine(dataDir, "locations", id);

    public TestBucket? BucketOf(string id) => _buckets.GetValueOrDefault(id);

    /// <summary>The bytes at <paramref name="relativePath"/> in location <paramref name="id"/>, or null if there are none.</summary>
    public byte[]? Read(string relativePath, string id)
    {
        if (BucketOf(id) is { } bucket)
        {
            return Sync(() => bucket.GetAsync(relativePath));
        }

        // Read without a look first: a server's delete may remove the file between the look and the read.
        try
        {
            return File.ReadAllBytes(Path.Combine(Root(id), relativePath));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Places a file, making its folders as needed.</summary>
    public void Put(string relativePath, byte[] content, string id)
    {
        if (BucketOf(id) is { } bucket)
        {
            Sync(async () =>
            {
                await bucket.PutAsync(relativePath, content);
                return true;
            });
            return;
        }

        var path = Path.Combine(Root(id), relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    public void Delete(string relativePath, string id)
    {
        if (BucketOf(id) is { } bucket)
        {
            Sync(async () =>
            {
                await bucket.Client.DeleteObjectAsync(bucket.Name, relativePath);
                return true;
            });
            return;
        }

        File.Delete(Path.Combine(Root(id), relativePath));
    }

    /// <summary>An empty folder; in S3, where folders do not exist, the zero-byte <c>folder/</c> marker a console makes.</summary>
    public void MakeFolder(string relativePath, string id)
    {
        if (BucketOf(id) is not null)
        {
            Put(relativePath + "/", [], id);
            return;
        }

        Directory.CreateDirectory(Path.Combine(Root(id), relativePath));
    }

    /// <summary>Takes a location away: its folder, or its bucket.</summary>
    public void Break(string id)
    {
        if (BucketOf(id) is { } bucket)
        {
            Sync(async () =>
            {
                foreach (var key in await bucket.KeysAsync())
                {
                    await bucket.Client.DeleteObjectAsync(bucket.Name, key);
                }

                await bucket.Client.DeleteBucketAsync(bucket.Name);
                return true;
            });
            return;
        }

        Directory.Delete(Root(id), recursive: true);
    }

    /// <summary>
    /// Every file and folder under the disk locations (folders end in '/') and every object of the S3 ones, each as
    /// <c>locations/{id}/{path}</c>, relative to the data dir, in order. S3 has no folders, so its locations show objects only.
    /// </summary>
    public IReadOnlyList<string> Entries()
    {
        var locations = new DirectoryInfo(Path.Combine(dataDir, "locations"));
        var entries = locations.Exists
            ? locations.EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
                .Select(e => Path.GetRelativePath(dataDir, e.FullName) + (e is DirectoryInfo ? "/" : ""))
            : [];
        var objects = _buckets.SelectMany(b => Sync(() => b.Value.KeysAsync()).Select(key => $"locations/{b.Key}/{key}"));
        return [.. entries.Concat(objects).Order(StringComparer.Ordinal)];
    }

    /// <summary>Empties and removes the buckets.</summary>
    public void RemoveBuckets()
    {
        foreach (var bucket in _buckets.Values)
        {
            Sync(async () =>
            {
                await bucket.DisposeAsync();
                return true;
            });
        }

        _buckets.Clear();
    }

    /// <summary>Waits for an S3 call from a synchronous helper, off the test's synchronization context.</summary>
    private static T Sync<T>(Func<Task<T>> call) => Task.Run(call).GetAwaiter().GetResult();

    [GeneratedRegex(@"^Ccfs:Locations:(\d+):")]
    private static partial Regex LocationKey();
}
