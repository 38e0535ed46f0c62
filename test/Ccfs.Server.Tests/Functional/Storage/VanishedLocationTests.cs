namespace Ccfs.Server.Tests.Functional.Storage;

/// <summary>
/// docs/failure-behaviour.md, "A location cannot be written or read": an unmounted folder fails the upload with
/// 0300503 and /readyz names the location. A disk location whose disk drops out (an unmounted file system, an NFS mount
/// gone) leaves a bare mount point without <c>.ccfs-tmp</c>; readiness says so, but the next recovery pass
/// (DiskFileStore.SweepTemporaryFilesAsync) makes <c>.ccfs-tmp</c> (and the root) again there, and from then on the
/// location's copies go to whatever file system lies under the mount point, and are hidden when the disk comes back.
/// Found by probe round 5 with a tmpfs location: /tmp/probeA-repro/unmounted-location.sh.
/// </summary>
[Trait("Storage", "Disk")]
public sealed class VanishedLocationTests
{
    [Fact]
    public async Task A_location_whose_folder_vanished_stays_refused_after_a_recovery_pass()
    {
        using var factory = new PoolFactory();
        await factory.Signed().StoreAsync(Samples.Sine);

        // The disk of location 256 drops out: its mount point is an empty folder again.
        var root = factory.LocationRoot("256");
        Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().UploadAsync(Samples.Sine), "0300503",
            "The service is temporarily unavailable, try again later.", System.Net.HttpStatusCode.ServiceUnavailable);

        await factory.RecoverAsync();

        var answer = await factory.Signed().UploadAsync(Samples.Sine);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable,
            $"an upload into the empty mount point of location 256 was taken: {body}");
    }

    [Fact]
    public async Task A_delete_of_a_copy_on_a_vanished_location_is_refused_and_its_mark_kept_for_recovery()
    {
        using var factory = new PoolFactory();
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var root = factory.LocationRoot("256");
        Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);

        // The empty mount point holds no copy, so an unchecked delete would "succeed" and the catalog forget the copy that
        // is still on the missing disk. Refused, the copy stays marked, and recovery removes it once the disk is back.
        var answer = await factory.Signed().DeleteAsync(fileName, "256");

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Contains($"{fileName[2..]} copy 256 state=2", factory.CatalogRows());
    }
}
