using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;

namespace Ccfs.Server.Tests.Unit.Storage.Disk;

/// <summary>
/// A brand-new location (no marker, the catalog lists no copy there) under a mount point the host's fstab lists but has
/// not mounted is not set up: its folder would lie on the file system under the mount point, hidden once the disk is
/// mounted. A folder under no such mount point (the development server's) is set up as before.
/// </summary>
[Trait("Storage", "Disk")]
public sealed class UnmountedLocationTests : IDisposable
{
    private readonly string _host = Path.Combine(Path.GetTempPath(), "ccfs-mounts", Guid.NewGuid().ToString("N"));

    public UnmountedLocationTests()
    {
        Directory.CreateDirectory(Path.Combine(_host, "mnt", "disk 1"));
        File.WriteAllLines(Path.Combine(_host, "fstab"), [
            "# <file system> <mount point> <type> <options> <dump> <pass>",
            "UUID=1234 / ext4 errors=remount-ro 0 1",
            $"UUID=5678 {Path.Combine(_host, "mnt", "disk 1").Replace(" ", "\\040", StringComparison.Ordinal)} xfs defaults,nofail 0 2",
        ]);
        File.WriteAllLines(Path.Combine(_host, "mounts"), ["/dev/sda1 / ext4 rw,relatime 0 0"]);
    }

    [Fact]
    public async Task A_new_location_under_an_fstab_mount_point_that_is_not_mounted_is_refused_and_nothing_is_created()
    {
        var root = Path.Combine(_host, "mnt", "disk 1", "voice");
        var store = Store(root);

        var refused = await Assert.ThrowsAsync<LocationMissingException>(() => store.OpenAsync(_ => Task.FromResult(false), CancellationToken.None));

        Assert.Contains("disk 1 is in", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(root));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_host, "mnt", "disk 1")));
        await Assert.ThrowsAsync<LocationMissingException>(() => store.CheckWritableAsync(CancellationToken.None));

        // Once the disk is mounted, the same store sets the location up.
        File.AppendAllLines(Path.Combine(_host, "mounts"), [$"/dev/sdb1 {Path.Combine(_host, "mnt", "disk\\0401")} xfs rw 0 0"]);
        Assert.Equal(LocationOpening.Created, await store.OpenAsync(_ => Task.FromResult(false), CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(root, DiskFileStore.MarkerFile)));
    }

    [Fact]
    public async Task A_new_location_under_no_listed_mount_point_is_set_up()
    {
        var root = Path.Combine(_host, "data", "voice");

        Assert.Equal(LocationOpening.Created, await Store(root).OpenAsync(_ => Task.FromResult(false), CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(root, DiskFileStore.MarkerFile)));
    }

    public void Dispose() => Directory.Delete(_host, recursive: true);

    private DiskFileStore Store(string root) =>
        new("0", root) { Mounts = new MountTables(Path.Combine(_host, "fstab"), Path.Combine(_host, "mounts")) };
}
