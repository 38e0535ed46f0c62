using Ccfs.Server.Catalog;
using Ccfs.Server.Parameters;

namespace Ccfs.Server.Quotas;

/// <summary>A file the next sweep would delete.</summary>
/// <param name="ExpiredAt">When it became older than the VDN's <c>retainFor</c>.</param>
public sealed record ExpiredFile(string Path, string FileName, long SizeBytes, DateTimeOffset CreatedAt, DateTimeOffset ExpiredAt);

/// <summary>
/// Which files retention deletes, for the sweeper and the preview alike: a VDN's stored files under its upload or
/// download rule folders, older than its <c>retainFor</c> now, and not pinned. Asked again just before each delete, under
/// the parameters in force then, so a sweep never deletes a file that is not expired at that moment.
/// </summary>
public sealed class RetentionCandidates(RetentionStore store, IParameterSource parameters, TimeProvider time)
{
    /// <summary>The oldest expired files of <paramref name="vdnId"/>, at most <paramref name="limit"/>; none when it keeps files forever.</summary>
    public async Task<IReadOnlyList<ExpiredFile>> ExpiredAsync(int vdnId, int limit, CancellationToken cancellationToken)
    {
        var vdn = parameters.For(vdnId);
        if (vdn.RetainFor is not { } retainFor)
        {
            return [];
        }

        var folders = Folders(vdn, vdnId);
        var rows = await store.ExpiredAsync(vdnId, time.GetUtcNow() - retainFor, limit, cancellationToken);
        return [.. rows.Where(r => Under(folders, r.Path))
            .Select(r => new ExpiredFile(r.Path, r.FileName, r.SizeBytes, r.CreatedAt, r.CreatedAt + retainFor))];
    }

    /// <summary>Whether <paramref name="file"/> is expired now, under the parameters in force now, and not pinned.</summary>
    public async Task<bool> StillExpiredAsync(int vdnId, ExpiredFile file, CancellationToken cancellationToken)
    {
        var vdn = parameters.For(vdnId);
        return vdn.RetainFor is { } retainFor && file.CreatedAt + retainFor < time.GetUtcNow() && Under(Folders(vdn, vdnId), file.Path)
            && !await store.IsPinnedAsync(file.Path, cancellationToken);
    }

    /// <summary>When a file of <paramref name="vdnId"/> created at <paramref name="createdAt"/> expires; null: never.</summary>
    public DateTimeOffset? ExpiresAt(int vdnId, DateTimeOffset createdAt) => parameters.For(vdnId).RetainFor is { } retainFor
        ? createdAt + retainFor
        : null;

    private static string[] Folders(SystemParameters vdn, int vdnId) =>
        [vdn.UploadPathRule.FolderFor(vdnId) + "/", .. vdn.DownloadPathRules.Select(r => r.FolderFor(vdnId) + "/")];

    private static bool Under(string[] folders, string path) => folders.Any(f => path.StartsWith(f, StringComparison.Ordinal));
}
