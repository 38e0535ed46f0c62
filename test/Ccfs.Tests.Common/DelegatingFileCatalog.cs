using Ccfs.Server.Catalog;

namespace Ccfs.Tests;

/// <summary>A catalog that passes everything to another; test doubles override only the step they change.</summary>
public abstract class DelegatingFileCatalog(IFileCatalog inner) : IFileCatalog
{
    public virtual Task<bool> TryReserveAsync(FileRecord record, CancellationToken cancellationToken) => inner.TryReserveAsync(record, cancellationToken);

    public virtual Task<Reservation> ReserveWithinAsync(FileRecord record, Ccfs.Server.Parameters.VdnQuota quota, CancellationToken cancellationToken) =>
        inner.ReserveWithinAsync(record, quota, cancellationToken);

    public virtual Task<IReadOnlyList<VdnUsage>> ListUsageAsync(CancellationToken cancellationToken) => inner.ListUsageAsync(cancellationToken);

    public virtual Task<CommitOutcome> CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken) =>
        inner.CommitAsync(path, locations, cancellationToken);

    public virtual Task<bool> ReleaseAsync(string path, CancellationToken cancellationToken) => inner.ReleaseAsync(path, cancellationToken);

    public virtual Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken) => inner.FindAsync(path, cancellationToken);

    public virtual Task<FileRecord?> BeginDeleteAsync(string path, string actor, CancellationToken cancellationToken) =>
        inner.BeginDeleteAsync(path, actor, cancellationToken);

    public virtual Task<FileRecord?> BeginExpireAsync(string path, DateTimeOffset createdBefore, CancellationToken cancellationToken) =>
        inner.BeginExpireAsync(path, createdBefore, cancellationToken);

    public virtual Task RemoveAsync(string path, CancellationToken cancellationToken) => inner.RemoveAsync(path, cancellationToken);

    public virtual Task<CopyRemoval> BeginCopyDeleteAsync(string path, string locationId, string actor, CancellationToken cancellationToken) =>
        inner.BeginCopyDeleteAsync(path, locationId, actor, cancellationToken);

    public virtual Task ForgetCopyAsync(string path, string locationId, CancellationToken cancellationToken) =>
        inner.ForgetCopyAsync(path, locationId, cancellationToken);

    public virtual Task<bool> IsBeingDeletedAsync(string path, string locationId, CancellationToken cancellationToken) =>
        inner.IsBeingDeletedAsync(path, locationId, cancellationToken);

    public virtual Task<bool> BeginUndoAsync(string path, CancellationToken cancellationToken) => inner.BeginUndoAsync(path, cancellationToken);

    public virtual Task<bool> TakeOverPendingAsync(string path, string? owner, CancellationToken cancellationToken) =>
        inner.TakeOverPendingAsync(path, owner, cancellationToken);

    public virtual Task<bool> AnyDeleteMarksAsync(CancellationToken cancellationToken) => inner.AnyDeleteMarksAsync(cancellationToken);

    public virtual Task<bool> HoldsCopiesAsync(string locationId, CancellationToken cancellationToken) =>
        inner.HoldsCopiesAsync(locationId, cancellationToken);

    public virtual Task<string?> CopyMarkOwnerAsync(string path, string locationId, CancellationToken cancellationToken) =>
        inner.CopyMarkOwnerAsync(path, locationId, cancellationToken);

    public virtual Task<(FileState State, string? Owner)?> StateOfAsync(string path, CancellationToken cancellationToken) =>
        inner.StateOfAsync(path, cancellationToken);

    public virtual Task<bool> StoreRecoveredAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken) =>
        inner.StoreRecoveredAsync(path, locations, cancellationToken);

    public virtual Task<IReadOnlyList<UnfinishedWork>> ListUnfinishedAsync(int limit, CancellationToken cancellationToken) =>
        inner.ListUnfinishedAsync(limit, cancellationToken);

    public virtual Task<IReadOnlyList<FileRecord>> ListStoredAsync(int? vdnId, string? afterPath, int limit, CancellationToken cancellationToken) =>
        inner.ListStoredAsync(vdnId, afterPath, limit, cancellationToken);

    public virtual Task<IReadOnlyList<FileRecord>> ListNewestFirstAsync(int vdnId, NewestFirstCursor? after, int limit, bool failingPromptsOnly,
        CancellationToken cancellationToken) =>
        inner.ListNewestFirstAsync(vdnId, after, limit, failingPromptsOnly, cancellationToken);

    public virtual Task<IReadOnlyList<VdnSummary>> ListVdnsAsync(CancellationToken cancellationToken) => inner.ListVdnsAsync(cancellationToken);

    public virtual Task ProbeWriteAsync(CancellationToken cancellationToken) => inner.ProbeWriteAsync(cancellationToken);
}
