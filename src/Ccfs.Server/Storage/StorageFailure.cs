using System.Data.Common;

namespace Ccfs.Server.Storage;

/// <summary>
/// Failures of the bytes or the catalog, not of the request: answered <c>0300503</c> with HTTP 503 so the client may
/// retry, never a 500.
/// </summary>
public static class StorageFailure
{
    public static bool Is(Exception e) => e is IOException or UnauthorizedAccessException or DbException;

    /// <summary>A failure that is likely gone a moment later: a store that was slow, busy or out of reach.</summary>
    public static bool IsTransient(Exception e) => e is S3.S3StoreException { Transient: true };
}
