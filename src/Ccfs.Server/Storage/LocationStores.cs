using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Storage.Disk;
using Ccfs.Server.Storage.S3;

namespace Ccfs.Server.Storage;

/// <summary>
/// The store of every configured location, made once: a <see cref="DiskFileStore"/> for a <c>Disk</c> location, an
/// <see cref="S3FileStore"/> (with its own S3 client) for an <c>S3</c> one. Disposed with the application, which ends
/// the S3 clients.
/// </summary>
public sealed class LocationStores : IDisposable
{
    public LocationStores(CcfsSettings settings, NodeIdentity node)
    {
        Stores = [.. settings.Locations.Select(l => l.S3 is { } s3
            ? new S3FileStore(l.Id, s3, node.Instance)
            : (IFileStore)new DiskFileStore(l.Id, l.Root, node.Instance))];
    }

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
