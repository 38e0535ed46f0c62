namespace Ccfs.Server.Catalog;

/// <summary>
/// Whether the catalog may hold a delete mark (a file or copy a delete marked and has not finished), so that a download
/// asks the catalog whether its copy is marked only then. Almost always there is none, and that read is about a fifth
/// of a download's CPU. A mark made on this node counts once it commits (<see cref="Made"/>); one another node made
/// counts from this node's next look at the catalog (<see cref="CatalogWatcher"/>, every <c>Ccfs:Admin:RefreshInterval</c>).
/// </summary>
public sealed class DeleteMarks
{
    private long _made;

    // The value of _made when the catalog was last seen with no mark; -1 until then, or since it was seen with one.
    private long _noneSince = -1;

    /// <summary>False only when the catalog was seen without a mark after this node's last one.</summary>
    public bool MayExist => Volatile.Read(ref _noneSince) != Volatile.Read(ref _made);

    /// <summary>Tells that this node's mark has committed.</summary>
    public void Made() => Interlocked.Increment(ref _made);

    /// <summary>
    /// Looks at the catalog. A mark this node makes meanwhile keeps <see cref="MayExist"/> true, and so does a look that
    /// fails: another node's marks go unseen until one succeeds.
    /// </summary>
    public async Task RefreshAsync(IFileCatalog catalog, CancellationToken cancellationToken)
    {
        var made = Volatile.Read(ref _made);
        Volatile.Write(ref _noneSince, -1);
        Volatile.Write(ref _noneSince, await catalog.AnyDeleteMarksAsync(cancellationToken) ? -1 : made);
    }
}
