using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;

namespace Ccfs.Server.Tests.Unit.Storage.Disk;

/// <summary>
/// Listing a folder tree of a disk location (<see cref="IFileStore.ListTreeAsync"/>) and looking at one file
/// (<see cref="IFileStore.StatAsync"/>): regular files at any depth in path order with their size and mtime, a page at a
/// time; hidden names, the server's own folders and links (in the root or out of it) left out and never followed.
/// </summary>
[Trait("Storage", "Disk")]
public sealed class DiskTreeListingTests : IDisposable
{
    private const string Folder = "voice/53/IVRrecordFile";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ccfs-tree", Guid.NewGuid().ToString("N"));
    private readonly string _outside = Path.Combine(Path.GetTempPath(), "ccfs-tree-outside", Guid.NewGuid().ToString("N"));
    private readonly DiskFileStore _store;

    public DiskTreeListingTests()
    {
        _store = new DiskFileStore("0", _root);
        _store.OpenAsync(_ => Task.FromResult(false), CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task Files_at_any_depth_are_listed_in_path_order_with_size_and_mtime_a_page_at_a_time()
    {
        var when = new DateTime(2026, 12, 1, 9, 30, 12, DateTimeKind.Utc);
        string[] files = ["20261201/093012-record.wav", "20261201/a/b.wav", "20261201/a.wav", "20261202/x.wav", "top.wav"];
        for (var i = 0; i < files.Length; i++)
        {
            Write($"{Folder}/{files[i]}", new byte[i + 1], when.AddMinutes(i));
        }

        Write($"{Folder}2/neighbour.wav", [1], when);
        Write("voice/53/beside.wav", [1], when);

        var listed = await ListAllAsync(Folder, 2);

        // A folder sorts as its name and '/', as an S3 key: a.wav before a/b.wav.
        Assert.Equal(["20261201/093012-record.wav", "20261201/a.wav", "20261201/a/b.wav", "20261202/x.wav", "top.wav"],
            listed.Select(f => f.Path.Value[(Folder.Length + 1)..]));
        Assert.All(listed, f =>
        {
            var i = Array.IndexOf(files, f.Path.Value[(Folder.Length + 1)..]);
            Assert.Equal(i + 1, f.SizeBytes);
            Assert.Equal(new DateTimeOffset(when.AddMinutes(i)), f.LastModified);
        });
    }

    [Fact]
    public async Task A_folder_of_many_files_and_folders_lists_each_file_once_in_order_across_small_pages()
    {
        var names = Enumerable.Range(0, 300).Select(i => i % 4 == 0 ? $"{i:D3}.wav" : $"d{i % 4}/{i % 5}/{i:D3}.wav").ToList();
        foreach (var name in names)
        {
            Write($"{Folder}/{name}", [1], DateTime.UtcNow);
        }

        var listed = await ListAllAsync(Folder, 7);

        Assert.Equal(names.Order(StringComparer.Ordinal), listed.Select(f => f.Path.Value[(Folder.Length + 1)..]));
    }

    [Fact]
    public async Task Hidden_names_the_server_folders_links_and_a_missing_folder_list_nothing()
    {
        Write($"{Folder}/day/kept.wav", [1], DateTime.UtcNow);
        Write($"{Folder}/day/.partial.wav", [1], DateTime.UtcNow);
        Write($"{Folder}/.hidden/inside.wav", [1], DateTime.UtcNow);
        Write($"{Folder}/inside-target/t.wav", [1], DateTime.UtcNow);
        Directory.CreateDirectory(_outside);
        await File.WriteAllBytesAsync(Path.Combine(_outside, "secret.wav"), [1]);
        var folder = Path.Combine(_root, Folder);
        Directory.CreateSymbolicLink(Path.Combine(folder, "out"), _outside);
        Directory.CreateSymbolicLink(Path.Combine(folder, "in"), Path.Combine(folder, "inside-target"));
        File.CreateSymbolicLink(Path.Combine(folder, "day", "link.wav"), Path.Combine(_outside, "secret.wav"));

        Assert.Equal(["day/kept.wav", "inside-target/t.wav"], (await ListAllAsync(Folder, 10)).Select(f => f.Path.Value[(Folder.Length + 1)..]));
        var missing = await _store.ListTreeAsync(StoreByRelativePath.Path("voice/54"), null, 10, CancellationToken.None);
        Assert.Empty(missing.Files);
        Assert.Null(missing.Next);
        Assert.Null(await _store.StatAsync(StoreByRelativePath.Path($"{Folder}/day/link.wav"), CancellationToken.None));
        await Assert.ThrowsAsync<OutsideRootException>(() => _store.ListTreeAsync(StoreByRelativePath.Path($"{Folder}/out"), null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task The_folders_in_a_folder_leave_out_hidden_ones_links_and_files()
    {
        Write("voice/53/a.wav", [1], DateTime.UtcNow);
        Write("voice/54/IVRrecordFile/day/b.wav", [1], DateTime.UtcNow);
        Write("voice/.hidden/c.wav", [1], DateTime.UtcNow);
        Write("voice/top.wav", [1], DateTime.UtcNow);
        Directory.CreateDirectory(_outside);
        Directory.CreateSymbolicLink(Path.Combine(_root, "voice", "55"), _outside);

        Assert.Equal(["53", "54"], await _store.ListFoldersAsync(StoreByRelativePath.Path("voice"), CancellationToken.None));
        Assert.Empty(await _store.ListFoldersAsync(StoreByRelativePath.Path("3rdfile"), CancellationToken.None));
        // The root's own folder for temporary files is hidden too.
        Assert.Equal(["voice"], await _store.ListFoldersAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task A_folder_reached_through_a_link_inside_the_root_is_neither_listed_nor_looked_into()
    {
        // voice/53 leads to voice/55: the files there are 55's, whatever name the link gives them.
        Write("voice/55/IVRrecordFile/day/theirs.wav", [1], DateTime.UtcNow);
        Directory.CreateSymbolicLink(Path.Combine(_root, "voice", "53"), "55");

        await Assert.ThrowsAsync<OutsideRootException>(() => _store.ListTreeAsync(StoreByRelativePath.Path(Folder), null, 10, CancellationToken.None));
        await Assert.ThrowsAsync<OutsideRootException>(() => _store.StatAsync(StoreByRelativePath.Path($"{Folder}/day/theirs.wav"), CancellationToken.None));
    }

    [Fact]
    public async Task The_folders_of_a_folder_reached_through_a_link_inside_the_root_are_not_listed()
    {
        // "voice" leads to "archive": its VDN folders are not voice's, whatever name the link gives them.
        Write("archive/53/IVRrecordFile/day/old.wav", [1], DateTime.UtcNow);
        Directory.CreateSymbolicLink(Path.Combine(_root, "voice"), "archive");

        await Assert.ThrowsAsync<OutsideRootException>(() => _store.ListFoldersAsync(StoreByRelativePath.Path("voice"), CancellationToken.None));
        Assert.Equal(["53"], await _store.ListFoldersAsync(StoreByRelativePath.Path("archive"), CancellationToken.None));
    }

    [Fact]
    public async Task A_listing_looks_at_most_max_depth_folders_down_however_deep_a_tree_goes()
    {
        // A hostile tree far deeper than that once took the walk (one stack frame and one open folder per level) to a
        // stack overflow, at every start-up sweep.
        var deepest = string.Join('/', Enumerable.Repeat("b", FileTreePage.MaxDepth));
        Write($"{Folder}/{deepest}/kept.wav", [1], DateTime.UtcNow);
        Write($"{Folder}/{deepest}/b/too-deep.wav", [1], DateTime.UtcNow);
        Write($"{Folder}/{string.Join('/', Enumerable.Repeat("b", 300))}/far.wav", [1], DateTime.UtcNow);
        Write($"{Folder}/top.wav", [1], DateTime.UtcNow);

        var listed = (await ListAllAsync(Folder, 10)).Select(f => f.Path.Value[(Folder.Length + 1)..]);

        Assert.Equal([$"{deepest}/kept.wav", "top.wav"], listed);
    }

    [Fact]
    public async Task A_listing_goes_on_where_it_was_while_the_files_already_listed_are_deleted()
    {
        for (var i = 0; i < 7; i++)
        {
            Write($"{Folder}/d{i % 3}/{i}.wav", [1], DateTime.UtcNow);
        }

        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await _store.ListTreeAsync(StoreByRelativePath.Path(Folder), after, 2, CancellationToken.None);
            foreach (var file in page.Files)
            {
                seen.Add(file.Path.Value);
                Assert.True(await _store.DeleteAsync(file.Path, CancellationToken.None));
            }

            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(7, seen.Distinct().Count());
        Assert.Empty(await ListAllAsync(Folder, 10));
    }

    [Fact]
    public async Task A_flat_folder_is_read_once_per_read_ahead_not_once_per_page()
    {
        var store = new DiskFileStore("0", _root) { ReadAhead = new ListingReadAhead(capacity: 64) };
        var names = Enumerable.Range(0, 1000).Select(i => $"{i * 7919 % 1000:D4}.wav").ToList();
        foreach (var name in names)
        {
            Write($"{Folder}/{name}", [1], DateTime.UtcNow);
        }

        var listed = await ListAllAsync(store, Folder, 10);

        // 100 pages: each read keeps 64 names, so about 1000 / 54 reads of the folder (plus the folders above it).
        Assert.Equal(names.Order(StringComparer.Ordinal), listed.Select(f => f.Path.Value[(Folder.Length + 1)..]));
        Assert.InRange(store.ReadAhead.FolderReads, 1, 25);
    }

    [Fact]
    public async Task Files_added_and_deleted_while_a_listing_reads_ahead_are_listed_once_in_order_or_skipped()
    {
        var store = new DiskFileStore("0", _root) { ReadAhead = new ListingReadAhead(capacity: 16) };
        for (var i = 0; i < 100; i += 2)
        {
            Write($"{Folder}/{i:D3}.wav", [1], DateTime.UtcNow);
        }

        var seen = new List<string>();
        var deletedUnseen = new List<string>();
        string? after = null;
        var turn = 0;
        do
        {
            var page = await store.ListTreeAsync(StoreByRelativePath.Path(Folder), after, 5, CancellationToken.None);
            seen.AddRange(page.Files.Select(f => f.Path.Value[(Folder.Length + 1)..]));
            after = page.Next;

            // Each page deletes a file ahead of the listing (read ahead or not yet) and adds one past every name.
            var deleted = $"{98 - 2 * turn:D3}.wav";
            if (!seen.Contains(deleted))
            {
                deletedUnseen.Add(deleted);
            }

            File.Delete(Path.Combine(_root, Folder, deleted));
            Write($"{Folder}/{201 + 2 * turn:D3}.wav", [1], DateTime.UtcNow);
            turn++;
        }
        while (after is not null);

        Assert.Equal(seen.Order(StringComparer.Ordinal).Distinct(), seen);
        Assert.NotEmpty(deletedUnseen);
        Assert.Empty(seen.Intersect(deletedUnseen));
        Assert.All(Enumerable.Range(0, 50).Select(i => $"{2 * i:D3}.wav").Except(deletedUnseen), n => Assert.Contains(n, seen));

        // Added after the first page, before any read reached the end of the folder.
        Assert.Contains("201.wav", seen);
    }

    [Fact]
    public async Task Two_listings_of_one_folder_at_different_places_each_list_every_file_once()
    {
        var store = new DiskFileStore("0", _root) { ReadAhead = new ListingReadAhead(capacity: 16) };
        var names = Enumerable.Range(0, 200).Select(i => $"d{i % 3}/{i:D3}.wav").Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            Write($"{Folder}/{name}", [1], DateTime.UtcNow);
        }

        var first = new List<string>();
        var second = new List<string>();
        string? afterFirst = null;
        string? afterSecond = null;
        var firstDone = false;
        var secondDone = false;
        while (!firstDone || !secondDone)
        {
            if (!firstDone)
            {
                var page = await store.ListTreeAsync(StoreByRelativePath.Path(Folder), afterFirst, 3, CancellationToken.None);
                first.AddRange(page.Files.Select(f => f.Path.Value[(Folder.Length + 1)..]));
                (afterFirst, firstDone) = (page.Next, page.Next is null);
            }

            if (!secondDone)
            {
                var page = await store.ListTreeAsync(StoreByRelativePath.Path(Folder), afterSecond, 7, CancellationToken.None);
                second.AddRange(page.Files.Select(f => f.Path.Value[(Folder.Length + 1)..]));
                (afterSecond, secondDone) = (page.Next, page.Next is null);
            }
        }

        Assert.Equal(names, first);
        Assert.Equal(names, second);
    }

    [Fact]
    public async Task A_file_is_looked_at_with_its_size_and_mtime_and_anything_else_is_none()
    {
        var when = new DateTime(2026, 12, 1, 9, 30, 12, 345, DateTimeKind.Utc);
        Write($"{Folder}/day/a.wav", new byte[17], when);

        var stat = await _store.StatAsync(StoreByRelativePath.Path($"{Folder}/day/a.wav"), CancellationToken.None);

        Assert.Equal(new StoredFile(StoreByRelativePath.Path($"{Folder}/day/a.wav"), 17, new DateTimeOffset(when)), stat);
        Assert.Null(await _store.StatAsync(StoreByRelativePath.Path($"{Folder}/day"), CancellationToken.None));
        Assert.Null(await _store.StatAsync(StoreByRelativePath.Path($"{Folder}/day/b.wav"), CancellationToken.None));
        Assert.Null(await _store.StatAsync(StoreByRelativePath.Path("voice/54/a.wav"), CancellationToken.None));
    }

    public void Dispose()
    {
        foreach (var folder in new[] { _root, _outside })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private Task<List<StoredFile>> ListAllAsync(string folder, int pageSize) => ListAllAsync(_store, folder, pageSize);

    private static async Task<List<StoredFile>> ListAllAsync(DiskFileStore store, string folder, int pageSize)
    {
        var files = new List<StoredFile>();
        string? after = null;
        do
        {
            var page = await store.ListTreeAsync(StoreByRelativePath.Path(folder), after, pageSize, CancellationToken.None);
            Assert.True(page.Files.Count <= pageSize);
            files.AddRange(page.Files);
            after = page.Next;
        }
        while (after is not null);

        return files;
    }

    private void Write(string relative, byte[] content, DateTime modified)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, modified);
    }
}
