using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;

namespace Ccfs.Server.Tests.Unit.Storage.Disk;

/// <summary>
/// A location on disk, used directly: how undoing a write takes back the folders that write created, and what an open
/// for reading accepts.
/// </summary>
[Trait("Storage", "Disk")]
public sealed class DiskFileStoreTests : IDisposable
{
    private const string Folder = "3rdfile/53/thirdvoicebotfile";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ccfs-store", Guid.NewGuid().ToString("N"));
    private readonly DiskFileStore _store;

    public DiskFileStoreTests()
    {
        _store = new DiskFileStore("0", _root);
        _store.OpenAsync(_ => Task.FromResult(false), CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public async Task A_folder_that_lost_its_marker_is_refused_and_never_written()
    {
        // The disk drops out: its mount point is an empty folder again.
        Directory.Delete(_root, recursive: true);
        Directory.CreateDirectory(_root);

        var refusal = await Assert.ThrowsAsync<LocationMissingException>(() => _store.OpenAsync(_ => Task.FromResult(false), CancellationToken.None));
        Assert.Contains($"has no {DiskFileStore.MarkerFile}", refusal.Message);
        Assert.Contains("Remount the disk", refusal.Message);
        await Assert.ThrowsAsync<LocationMissingException>(() => _store.SweepTemporaryFilesAsync(new HashSet<string>(), CancellationToken.None));
        await Assert.ThrowsAsync<LocationMissingException>(() => _store.CheckWritableAsync(CancellationToken.None));
        await Assert.ThrowsAsync<LocationMissingException>(() => _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None));
        Assert.Empty(Directory.GetFileSystemEntries(_root));

        // The operator takes the folder as it is, deliberately.
        await File.WriteAllBytesAsync(Path.Combine(_root, DiskFileStore.MarkerFile), []);
        Assert.Equal(LocationOpening.Known, await _store.OpenAsync(_ => Task.FromResult(true), CancellationToken.None));
        await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);
    }

    [Fact]
    public async Task An_empty_folder_for_a_location_the_catalog_holds_copies_in_is_refused_at_start()
    {
        var root = Path.Combine(_root, "unmounted");
        Directory.CreateDirectory(root);
        var store = new DiskFileStore("1", root);

        await Assert.ThrowsAsync<LocationMissingException>(() => store.OpenAsync(_ => Task.FromResult(true), CancellationToken.None));

        var readiness = await Assert.ThrowsAsync<LocationMissingException>(() => store.CheckWritableAsync(CancellationToken.None));
        Assert.Contains("the catalog lists files stored there", readiness.Message);
        Assert.Empty(Directory.GetFileSystemEntries(root));
    }

    [Fact]
    public async Task A_new_folder_is_set_up_and_one_an_earlier_release_made_is_adopted()
    {
        var fresh = new DiskFileStore("1", Path.Combine(_root, "fresh"));
        Assert.Equal(LocationOpening.Created, await fresh.OpenAsync(_ => Task.FromResult(false), CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(_root, "fresh", DiskFileStore.MarkerFile)));

        // An earlier release left .ccfs-tmp and files, but no marker: the catalog is not even asked.
        var earlier = Path.Combine(_root, "earlier");
        Directory.CreateDirectory(Path.Combine(earlier, DiskFileStore.TemporaryFolder));
        var store = new DiskFileStore("2", earlier);
        Assert.Equal(LocationOpening.Adopted, await store.OpenAsync(_ => throw new InvalidOperationException(), CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(earlier, DiskFileStore.MarkerFile)));
        Assert.Equal(LocationOpening.Known, await new DiskFileStore("2", earlier).OpenAsync(_ => Task.FromResult(true), CancellationToken.None));
    }

    [Fact]
    public async Task A_name_that_exists_is_refused_and_its_bytes_stay()
    {
        var path = Path.Combine(_root, Folder, "placed.wav");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Samples.Sine);

        await Assert.ThrowsAsync<FileAlreadyExistsException>(() => _store.WriteAsync($"{Folder}/placed.wav", Samples.ALawOfSize(100), CancellationToken.None));

        Assert.Equal(Samples.Sine, await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, DiskFileStore.TemporaryFolder)));
    }

    [Fact]
    public async Task Undoing_a_write_removes_the_file_and_every_folder_it_created()
    {
        var copy = await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);

        await _store.UndoWriteAsync(copy, CancellationToken.None);

        Assert.Equal(["3rdfile", "3rdfile/53", Folder], copy.CreatedFolders);
        Assert.Equal([DiskFileStore.MarkerFile, DiskFileStore.TemporaryFolder], Directory.GetFileSystemEntries(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Undoing_a_write_keeps_folders_that_were_there_before_even_empty_ones()
    {
        Directory.CreateDirectory(Path.Combine(_root, "3rdfile", "53"));

        var copy = await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);
        await _store.UndoWriteAsync(copy, CancellationToken.None);

        Assert.Equal([Folder], copy.CreatedFolders);
        Assert.True(Directory.Exists(Path.Combine(_root, "3rdfile", "53")));
        Assert.False(Directory.Exists(Path.Combine(_root, Folder)));
    }

    [Fact]
    public async Task Undoing_a_write_keeps_a_folder_another_write_has_put_a_file_in()
    {
        var first = await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);
        var second = await _store.WriteAsync($"{Folder}/b.wav", Samples.Sine, CancellationToken.None);

        await _store.UndoWriteAsync(first, CancellationToken.None);

        Assert.Empty(second.CreatedFolders);
        Assert.False(File.Exists(Path.Combine(_root, Folder, "a.wav")));
        Assert.Equal(Samples.Sine, await File.ReadAllBytesAsync(Path.Combine(_root, Folder, "b.wav")));
    }

    [Fact]
    public async Task A_write_whose_folders_were_removed_after_it_made_sure_of_them_creates_them_again()
    {
        await _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None);
        // As an undo racing this write would: the store still believes the folders exist.
        Directory.Delete(Path.Combine(_root, "3rdfile"), recursive: true);

        var copy = await _store.WriteAsync($"{Folder}/b.wav", Samples.Sine, CancellationToken.None);

        Assert.Equal(Samples.Sine, await File.ReadAllBytesAsync(Path.Combine(_root, Folder, "b.wav")));
        Assert.Equal(["3rdfile", "3rdfile/53", Folder], copy.CreatedFolders);
    }

    [Fact]
    public async Task A_write_that_meets_a_file_where_it_needs_a_folder_fails_and_creates_nothing()
    {
        Directory.CreateDirectory(Path.Combine(_root, "3rdfile"));
        await File.WriteAllTextAsync(Path.Combine(_root, "3rdfile", "53"), "in the way");

        await Assert.ThrowsAnyAsync<IOException>(() => _store.WriteAsync($"{Folder}/a.wav", Samples.Sine, CancellationToken.None));

        Assert.Equal(["3rdfile/53"], Directory.GetFileSystemEntries(Path.Combine(_root, "3rdfile")).Select(e => Path.GetRelativePath(_root, e)));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root, DiskFileStore.TemporaryFolder)));
    }

    [Fact]
    public async Task A_link_found_where_the_resolved_path_was_is_followed_only_if_the_file_it_opens_is_inside()
    {
        var outside = Path.Combine(Path.GetTempPath(), "ccfs-store-outside-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(outside, Samples.Sine);
        try
        {
            var folder = Path.Combine(_root, "voice", "53", "IVRrecordFile");
            Directory.CreateDirectory(folder);
            await File.WriteAllBytesAsync(Path.Combine(folder, "inside.wav"), Samples.Sine);
            // As if swapped in after the path was resolved: the open itself must notice where it led.
            File.CreateSymbolicLink(Path.Combine(folder, "swapped.wav"), outside);
            File.CreateSymbolicLink(Path.Combine(folder, "alias.wav"), "inside.wav");

            Assert.Throws<OutsideRootException>(() => _store.OpenResolved(Path.Combine(folder, "swapped.wav"), "voice/53/IVRrecordFile/swapped.wav"));
            await using var alias = _store.OpenResolved(Path.Combine(folder, "alias.wav"), "voice/53/IVRrecordFile/alias.wav");
            using var bytes = new MemoryStream();
            await alias!.CopyToAsync(bytes);
            Assert.Equal(Samples.Sine, bytes.ToArray());
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task A_folder_swapped_for_a_link_after_resolving_leads_no_delete_or_write_outside()
    {
        var outside = Directory.CreateTempSubdirectory("ccfs-store-outside").FullName;
        await File.WriteAllBytesAsync(Path.Combine(outside, "victim.wav"), Samples.Sine);
        try
        {
            var folder = Path.Combine(_root, "voice", "53");
            Directory.CreateDirectory(folder);
            // As if swapped in after the path was resolved: IVRrecordFile is now a link to a folder outside the root.
            Directory.CreateSymbolicLink(Path.Combine(folder, "IVRrecordFile"), outside);
            var full = Path.Combine(folder, "IVRrecordFile", "victim.wav");

            Assert.Throws<OutsideRootException>(() => _store.DeleteResolved(full, "voice/53/IVRrecordFile/victim.wav"));
            Assert.Equal(Samples.Sine, await File.ReadAllBytesAsync(Path.Combine(outside, "victim.wav")));
            var finished = Path.Combine(_root, DiskFileStore.TemporaryFolder, "finished.tmp");
            await File.WriteAllBytesAsync(finished, Samples.Sine);
            foreach (var replace in new[] { false, true })
            {
                Assert.Throws<OutsideRootException>(() => _store.Place(finished, Path.Combine(folder, "IVRrecordFile", "planted.wav"),
                    "voice/53/IVRrecordFile/planted.wav", replace));
            }

            Assert.Equal(["victim.wav"], Directory.GetFiles(outside).Select(Path.GetFileName));

            await File.WriteAllBytesAsync(Path.Combine(folder, "inside.wav"), Samples.Sine);
            Assert.True(_store.DeleteResolved(Path.Combine(folder, "inside.wav"), "voice/53/inside.wav"));
            Assert.False(_store.DeleteResolved(Path.Combine(folder, "inside.wav"), "voice/53/inside.wav"));
            Assert.False(File.Exists(Path.Combine(folder, "inside.wav")));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task A_folder_where_a_file_is_expected_is_no_file()
    {
        Directory.CreateDirectory(Path.Combine(_root, Folder, "a.wav"));

        Assert.Null(await _store.OpenReadAsync($"{Folder}/a.wav", CancellationToken.None));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
