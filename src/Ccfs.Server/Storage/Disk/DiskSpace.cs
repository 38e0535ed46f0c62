using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;
using Prometheus;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// Free space where ccfs writes to local disk, read at each scrape (one <c>statvfs</c> each) so an alert can fire before
/// a disk is full: each disk location's filesystem (<c>ccfs_location_free_bytes</c>) and the data dir's
/// (<c>ccfs_data_dir_free_bytes</c>: the SQLite catalog, the master key). A hosted service only so that it is made at
/// start-up, before the first scrape.
/// </summary>
public sealed class DiskSpace : IHostedService
{
    public DiskSpace(CcfsMetrics metrics, LocationStores stores, CcfsSettings settings)
    {
        var factory = Metrics.WithCustomRegistry(metrics.Registry);
        var locations = factory.CreateGauge("ccfs_location_free_bytes",
            "Bytes free to ccfs on the filesystem of a disk location (absent for S3 locations)", "location");
        var dataDir = factory.CreateGauge("ccfs_data_dir_free_bytes", "Bytes free to ccfs on the filesystem of Ccfs:DataDir");
        var disks = stores.Stores.OfType<DiskFileStore>().ToList();
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            foreach (var disk in disks)
            {
                if (FreeBytes(disk.Root) is { } free)
                {
                    locations.WithLabels(disk.LocationId).Set(free);
                }
            }

            if (FreeBytes(settings.DataDir) is { } left)
            {
                dataDir.Set(left);
            }
        });
    }

    /// <summary>The bytes an unprivileged writer may still use on the filesystem holding <paramref name="path"/>; null if it cannot be told.</summary>
    public static long? FreeBytes(string path)
    {
        try
        {
            return new DriveInfo(path).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
