using System.Runtime.CompilerServices;
using Ccfs.Server.Catalog;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Quotas;

/// <summary>A file the next sweep would delete.</summary>
/// <param name="CreatedAt">When the catalog stored it; for a file only the locations hold, its last-modified time.</param>
/// <param name="ExpiredAt">When it became older than the VDN's <c>retainFor</c>.</param>
/// <param name="StoreOnly">The catalog has no row for it: a recording the IVR wrote, or a file placed past ccfs.</param>
public sealed record ExpiredFile(string Path, string FileName, long SizeBytes, DateTimeOffset CreatedAt, DateTimeOffset ExpiredAt,
    bool StoreOnly = false);

/// <summary>
/// Which files retention deletes, for the sweeper and the preview alike: a VDN's files under its upload or download rule
/// folders, older than its <c>retainFor</c> now, and not pinned. A file with a catalog row is as old as the row says; a
/// file only the locations hold (a recording) is as old as its newest copy's last-modified time. Asked again just before
/// each delete, under the parameters in force then, so a sweep never deletes a file that is not expired at that moment.
/// </summary>
public sealed partial class RetentionCandidates(RetentionStore store, LocationSet locations, IParameterSource parameters, TimeProvider time,
    ILogger<RetentionCandidates> log)
{
    /// <summary>Files per page of a location's listing.</summary>
    private const int PageSize = 500;

    /// <summary>
    /// The VDNs the locations hold a folder for under the global upload and download rules, when the global parameters
    /// retain files for a time: a VDN no account, override or upload names may still hold recordings the IVR wrote.
    /// </summary>
    public async Task<IReadOnlySet<int>> VdnsInLocationsAsync(CancellationToken cancellationToken)
    {
        var found = new SortedSet<int>();
        var global = parameters.Global;
        if (global.RetainFor is null)
        {
            return found;
        }

        var parents = new[] { global.UploadPathRule }.Concat(global.DownloadPathRules).Select(r => r.FolderAboveVdns).OfType<string>()
            .Distinct(StringComparer.Ordinal);
        foreach (var parent in parents)
        {
            foreach (var location in locations.Stores)
            {
                IReadOnlyList<string> names;
                try
                {
                    names = await location.ListFoldersAsync(parent == "/" ? null : StoragePath.FromCatalogKey(parent), cancellationToken);
                }
                catch (OutsideRootException e)
                {
                    LogOutsideRoot(log, e, parent, location.LocationId);
                    continue;
                }

                foreach (var name in names)
                {
                    if (VdnId.TryParse(name, out var vdnId))
                    {
                        found.Add(vdnId);
                    }
                }
            }
        }

        return found;
    }

    /// <summary>The oldest expired files of <paramref name="vdnId"/> the catalog lists, at most <paramref name="limit"/>; none when it keeps files forever.</summary>
    public async Task<IReadOnlyList<ExpiredFile>> ExpiredAsync(int vdnId, int limit, CancellationToken cancellationToken)
    {
        var vdn = parameters.For(vdnId);
        if (vdn.RetainFor is not { } retainFor)
        {
            return [];
        }

        var rows = await store.ExpiredAsync(vdnId, [.. Folders(vdn, vdnId).Distinct(StringComparer.Ordinal)], time.GetUtcNow() - retainFor, limit,
            cancellationToken);
        return [.. rows.Select(r => new ExpiredFile(r.Path, r.FileName, r.SizeBytes, r.CreatedAt, r.CreatedAt + retainFor))];
    }

    /// <summary>
    /// The expired files of <paramref name="vdnId"/> that only the locations hold, location by location and folder by
    /// folder in path order, read a page at a time: not pinned, with no catalog row. A file several locations hold is
    /// listed by each that holds an expired copy.
    /// </summary>
    public async IAsyncEnumerable<ExpiredFile> StoreOnlyExpiredAsync(int vdnId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var vdn = parameters.For(vdnId);
        if (vdn.RetainFor is not { } retainFor)
        {
            yield break;
        }

        foreach (var folder in OutermostFolders(Folders(vdn, vdnId)))
        {
            foreach (var location in locations.Stores)
            {
                string? after = null;
                do
                {
                    FileTreePage page;
                    try
                    {
                        page = await location.ListTreeAsync(folder, after, PageSize, cancellationToken);
                    }
                    catch (OutsideRootException e)
                    {
                        // A link on the way may lead out of the location, or to another VDN's folder: retention deletes nothing there.
                        LogOutsideRoot(log, e, folder.Value, location.LocationId);
                        break;
                    }

                    foreach (var file in page.Files)
                    {
                        var path = file.Path.CatalogKey;
                        if (file.LastModified + retainFor < time.GetUtcNow() && !await store.HasRowAsync(path, cancellationToken)
                            && !await store.IsPinnedAsync(path, cancellationToken))
                        {
                            // In milliseconds, as the catalog's times are: the delete reads each copy's own time again.
                            var modified = DateTimeOffset.FromUnixTimeMilliseconds(file.LastModified.ToUnixTimeMilliseconds());
                            yield return new ExpiredFile(path, $"{vdn.DriveLetter}:{path}", file.SizeBytes, modified, modified + retainFor,
                                StoreOnly: true);
                        }
                    }

                    after = page.Next;
                }
                while (after is not null);
            }
        }
    }

    /// <summary>
    /// What the next sweep of <paramref name="vdnId"/> would delete, at most <paramref name="limit"/>: the catalog's
    /// files oldest first, then those only the locations hold, each once.
    /// </summary>
    public async Task<IReadOnlyList<ExpiredFile>> NextSweepAsync(int vdnId, int limit, CancellationToken cancellationToken)
    {
        var files = new List<ExpiredFile>(await ExpiredAsync(vdnId, limit, cancellationToken));
        // A catalog file deleted while the locations are listed (its copy listed, its row gone by the look that follows)
        // is found again as one only the locations hold.
        var seen = new HashSet<string>(files.Select(f => f.Path), StringComparer.Ordinal);
        await foreach (var file in StoreOnlyExpiredAsync(vdnId, cancellationToken))
        {
            if (files.Count >= limit)
            {
                break;
            }

            if (seen.Add(file.Path))
            {
                files.Add(file);
            }
        }

        return files;
    }

    /// <summary>
    /// Whether <paramref name="file"/> is expired now, under the parameters in force now, and not pinned. A catalog file
    /// is as old as its stored row is now, whatever the listing said. A file only the locations held must still have no
    /// catalog row (one made since gives it the catalog's age), and every copy left must be older than <c>retainFor</c>,
    /// since its delete removes them all.
    /// </summary>
    public async Task<bool> StillExpiredAsync(int vdnId, ExpiredFile file, CancellationToken cancellationToken)
    {
        var vdn = parameters.For(vdnId);
        if (vdn.RetainFor is not { } retainFor || !Under(Folders(vdn, vdnId), file.Path) || await store.IsPinnedAsync(file.Path, cancellationToken))
        {
            return false;
        }

        if (!file.StoreOnly)
        {
            // The row listed may be gone and a new file have its name (deleted and stored again): the row's age now counts.
            return await store.CreatedAtAsync(file.Path, cancellationToken) is { } createdAt && createdAt + retainFor < time.GetUtcNow();
        }

        if (await store.HasRowAsync(file.Path, cancellationToken))
        {
            return false;
        }

        var path = StoragePath.FromCatalogKey(file.Path);
        var newest = DateTimeOffset.MinValue;
        foreach (var location in locations.Stores)
        {
            if (await location.StatAsync(path, cancellationToken) is { } copy && copy.LastModified > newest)
            {
                newest = copy.LastModified;
            }
        }

        return newest != DateTimeOffset.MinValue && newest + retainFor < time.GetUtcNow();
    }

    /// <summary>
    /// When the file <paramref name="path"/> (a catalog key) of <paramref name="vdnId"/>, created at
    /// <paramref name="createdAt"/>, expires; null: never (no <c>retainFor</c>, or a folder no rule of the VDN names now,
    /// such as one an earlier upload rule filled, which the sweep does not look in).
    /// </summary>
    public DateTimeOffset? ExpiresAt(int vdnId, string path, DateTimeOffset createdAt)
    {
        var vdn = parameters.For(vdnId);
        return vdn.RetainFor is { } retainFor && Under(Folders(vdn, vdnId), path) ? createdAt + retainFor : null;
    }

    private static string[] Folders(SystemParameters vdn, int vdnId) =>
        [vdn.UploadPathRule.FolderFor(vdnId) + "/", .. vdn.DownloadPathRules.Select(r => r.FolderFor(vdnId) + "/")];

    /// <summary>The folders to list, each once: a folder inside another (the upload folder is often a download one) is listed with it.</summary>
    private static IEnumerable<StoragePath> OutermostFolders(string[] folders) =>
        folders.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Where(f => !folders.Any(o => o.Length < f.Length && f.StartsWith(o, StringComparison.Ordinal)))
            .Select(f => StoragePath.FromCatalogKey(f.TrimEnd('/')));

    private static bool Under(string[] folders, string path) => folders.Any(f => path.StartsWith(f, StringComparison.Ordinal));

    [LoggerMessage(LogLevel.Warning, "Retention does not sweep {Folder} of location {Location}: a link is on its way, and retention follows none")]
    private static partial void LogOutsideRoot(ILogger logger, Exception exception, string folder, string location);
}
