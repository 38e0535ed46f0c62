namespace Ccfs.Server.Catalog;

/// <summary>
/// Forgets every file row of the catalog (their copies, and every pin, so a file seeded again under a pinned name is
/// not born pinned) in one transaction, for a rehearsal's reset; accounts, parameters and the audit trail stay.
/// Written once for both databases, like every store.
/// </summary>
public sealed class CatalogReset(CatalogDatabase database)
{
    /// <returns>How many file rows were forgotten.</returns>
    public Task<int> ForgetAllFilesAsync() => database.Writer.WriteAsync(async (tx, ct) =>
    {
        await tx.ExecuteAsync("DELETE FROM file_copies;", ct);
        await tx.ExecuteAsync("DELETE FROM file_pins;", ct);
        return await tx.ExecuteAsync("DELETE FROM files;", ct);
    });
}
