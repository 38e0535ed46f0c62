using System.Threading.RateLimiting;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Http;

/// <summary>
/// The CC-FS flow-control points, per access key: downloads (<c>0300008</c>) and hash queries (<c>0300009</c>).
/// Checked once a request is authenticated, so nobody can spend another account's allowance by naming its AK. A refusal
/// says how long to wait, for the answer's <c>Retry-After</c>: the window, as the fixed-window limiter reports it (the
/// longest wait, not what is left of the current window).
/// </summary>
public sealed class AccountFlowControl(CcfsSettings settings) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _downloads = Create(settings.Limits.Download);
    private readonly PartitionedRateLimiter<string> _hashes = Create(settings.Limits.Hash);

    /// <summary>Whether the key may download now; if not, <paramref name="retryAfterSeconds"/> is the longest wait until it may again (at least 1).</summary>
    public bool TryDownload(string accessKey, out int retryAfterSeconds) => TryAcquire(_downloads, accessKey, out retryAfterSeconds);

    /// <inheritdoc cref="TryDownload"/>
    public bool TryHash(string accessKey, out int retryAfterSeconds) => TryAcquire(_hashes, accessKey, out retryAfterSeconds);

    public void Dispose()
    {
        _downloads.Dispose();
        _hashes.Dispose();
    }

    private static bool TryAcquire(PartitionedRateLimiter<string> limiter, string accessKey, out int retryAfterSeconds)
    {
        using var lease = limiter.AttemptAcquire(accessKey);
        retryAfterSeconds = lease.IsAcquired ? 0
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        return lease.IsAcquired;
    }

    private static PartitionedRateLimiter<string> Create(FlowControlOptions options) =>
        PartitionedRateLimiter.Create<string, string>(accessKey => RateLimitPartition.GetFixedWindowLimiter(accessKey,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.PermitLimit, Window = options.Window, QueueLimit = 0 }));
}
