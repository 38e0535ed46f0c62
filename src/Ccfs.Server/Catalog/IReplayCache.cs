namespace Ccfs.Server.Catalog;

/// <summary>
/// Signatures already accepted, kept in the catalog until the clock window would refuse them anyway, so every node (a
/// shared catalog) and every restart sees them.
/// </summary>
public interface IReplayCache
{
    /// <summary>Remembers <paramref name="signature"/> until <paramref name="expiresAt"/>; false if it was remembered already.</summary>
    Task<bool> TryRememberAsync(string signature, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
