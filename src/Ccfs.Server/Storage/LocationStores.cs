using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;
using Ccfs.Server.Storage.Disk;
using Ccfs.Server.Storage.S3;

namespace Ccfs.Server.Storage;

/// <summary>
/// The store of every configured location, made once: a <see cref="DiskFileStore"/> for a <c>Disk</c> location, an
/// <see cref="S3FileStore"/> (with its own S3 client) for an <c>S3</c> one. Disposed with the application, which ends
/// the S3 clients.
/// </summary>
public sealed partial class LocationStores : IDisposable
{
    public LocationStores(CcfsSettings settings, NodeIdentity node, CcfsMetrics metrics, ILogger<LocationStores> log)
    {
        var logGate = new LogGate<string>(TimeProvider.System);
        Stores = [.. settings.Locations.Select(l => l.S3 is { } s3
            ? new S3FileStore(l.Id, s3, node.Instance, operation =>
            {
                metrics.S3HedgedReads.WithLabels(l.Id, operation).Inc();
                if (logGate.Admits(l.Id))
                {
                    LogHedged(log, l.Id, operation, s3.Timeout.TotalSeconds / 3);
                }
            })
            : (IFileStore)new DiskFileStore(l.Id, l.Root, node.Instance))];
    }

    [LoggerMessage(LogLevel.Warning, "S3 location {Location} had not answered a read ({Operation}) within {Seconds:0.###} s; a second request "
        + "was sent and the first answer is used. ccfs_s3_reads_hedged_total counts each; this line comes at most once a minute per location")]
    private static partial void LogHedged(ILogger log, string location, string operation, double seconds);

    public IReadOnlyList<IFileStore> Stores { get; }

    public void Dispose()
    {
        foreach (var store in Stores.OfType<IDisposable>())
        {
            store.Dispose();
        }
    }
}

public static class LocationRegistration
{
    /// <summary>Registers <see cref="LocationSet"/>: every configured location, on disk or in S3.</summary>
    public static IServiceCollection AddLocations(this IServiceCollection services)
    {
        services.AddSingleton<LocationStores>();
        services.AddSingleton(sp => new LocationSet(sp.GetRequiredService<LocationStores>().Stores));
        services.AddHostedService<Disk.DiskSpace>();
        return services;
    }
}
