using System.Threading.RateLimiting;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Http;

/// <summary>
/// The CC-FS flow-control points, per access key: downloads (<c>0300008</c>) and hash queries (<c>0300009</c>).
/// Checked once a request is authenticated, so nobody can spend another account's allowance by naming its AK.
/// </summary>
public sealed class AccountFlowControl(CcfsSettings settings) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _downloads = Create(settings.Limits.Download);
    private readonly PartitionedRateLimiter<string> _hashes = Create(settings.Limits.Hash);

    public bool TryDownload(string accessKey) => TryAcquire(_downloads, accessKey);

    public bool TryHash(string accessKey) => TryAcquire(_hashes, accessKey);

    public void Dispose()
    {
        _downloads.Dispose();
        _hashes.Dispose();
    }

    private static bool TryAcquire(PartitionedRateLimiter<string> limiter, string accessKey)
    {
        using var lease = limiter.AttemptAcquire(accessKey);
        return lease.IsAcquired;
    }

    private static PartitionedRateLimiter<string> Create(FlowControlOptions options) =>
        PartitionedRateLimiter.Create<string, string>(accessKey => RateLimitPartition.GetFixedWindowLimiter(accessKey,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.PermitLimit, Window = options.Window, QueueLimit = 0 }));
}
