using System.Data.Common;

namespace Ccfs.Server.Storage;

/// <summary>
/// Failures of the bytes or the catalog, not of the request: answered <c>0300503</c> with HTTP 503 so the client may
/// retry, never a 500.
/// </summary>
public static class StorageFailure
{
    public static bool Is(Exception e) => e is IOException or UnauthorizedAccessException or DbException;

    /// <summary>
    /// Whether <paramref name="e"/> (or what it wraps) is a full disk: ENOSPC or EDQUOT on Linux and macOS, as .NET
    /// reports them (the errno as HResult, or only in words), or a catalog that says its disk is full.
    /// </summary>
    public static bool IsDiskFull(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is IOException && (e.HResult & 0xFFFF) is NoSpace or QuotaExceeded or WindowsDiskFull
                || e.Message.Contains("No space left on device", StringComparison.Ordinal)
                // .NET's words when a preallocation does not fit, and the catalogs' (SQLite's "database or disk is full").
                || e.Message.Contains("disk was full", StringComparison.Ordinal)
                || e.Message.Contains("disk is full", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private const int NoSpace = 28;
    private const int QuotaExceeded = 122;
    private const int WindowsDiskFull = 112;

    /// <summary>
    /// Whether a write that failed with <paramref name="e"/> may still be carried out: a remote store's answer was lost
    /// (for each location of a failed placement, <see cref="StorageFailedException.Failures"/>).
    /// </summary>
    public static bool MayLandLate(Exception e) => e is StorageFailedException placement
        ? placement.Failures.Any(MayLandLate)
        : e is S3.S3StoreException { AnswerLost: true } || (e.InnerException is { } inner && MayLandLate(inner));

    /// <summary>A failure that is likely gone a moment later: a store that was slow, busy or out of reach.</summary>
    public static bool IsTransient(Exception e) => e is S3.S3StoreException { Transient: true };
}
