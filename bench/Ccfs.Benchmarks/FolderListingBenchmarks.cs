using BenchmarkDotNet.Attributes;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage.Disk;

namespace Ccfs.Benchmarks;

/// <summary>
/// Listing a flat recording folder on disk to the end, 500 files a page, as retention's sweep and preview do.
/// <see cref="ReadOncePerPage"/> keeps nothing between pages (a read ahead of one page), so each page reads the whole
/// folder again: the listing before the read-ahead, and the ratio's baseline.
/// </summary>
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class FolderListingBenchmarks
{
    private const int PageSize = 500;
    private static readonly StoragePath Folder = StoragePath.FromCatalogKey("/voice/53/IVRrecordFile");

    private string _root = null!;

    [Params(40_000)]
    public int Files { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "ccfs-bench-listing", Files.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var folder = Path.Combine(_root, Folder.Value);
        if (Directory.Exists(folder) && Directory.EnumerateFiles(folder).Count() == Files)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        for (var i = 0; i < Files; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"{Guid.NewGuid():N}.wav"), [1]);
        }
    }

    [Benchmark(Baseline = true)]
    public Task<int> ReadOncePerPage() => ListAllAsync(new DiskFileStore("0", _root) { ReadAhead = new ListingReadAhead(capacity: 1) });

    [Benchmark]
    public Task<int> ReadAhead() => ListAllAsync(new DiskFileStore("0", _root));

    private static async Task<int> ListAllAsync(DiskFileStore store)
    {
        var count = 0;
        string? after = null;
        do
        {
            var page = await store.ListTreeAsync(Folder, after, PageSize, CancellationToken.None);
            count += page.Files.Count;
            after = page.Next;
        }
        while (after is not null);

        return count;
    }
}
