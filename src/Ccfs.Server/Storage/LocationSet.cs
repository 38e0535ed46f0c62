namespace Ccfs.Server.Storage;

/// <summary>
/// Every configured location. With more than one, the server runs in CTI pool mode: each location keeps its own
/// copy of every prompt, and a file counts as stored only when every copy is.
/// </summary>
public sealed class LocationSet(IReadOnlyList<IFileStore> stores)
{
    public IReadOnlyList<IFileStore> Stores { get; } = stores;

    public IReadOnlyList<string> Ids { get; } = [.. stores.Select(s => s.LocationId)];

    public IFileStore? Find(string locationId) => Stores.FirstOrDefault(s => s.LocationId == locationId);

    /// <summary>
    /// Writes the file to every location in parallel. If any write fails, the copies already written are undone
    /// (with the folders they created) and the failure is rethrown: a half-replicated file never stays behind. A copy
    /// that cannot be undone either is reported with <see cref="StorageFailedException.CopiesLeft"/>.
    /// </summary>
    /// <returns>Each location's copy, in the order of <see cref="Stores"/>.</returns>
    public async Task<IReadOnlyList<WrittenCopy>> WriteEverywhereAsync(string path, ReadOnlyMemory<byte> content)
    {
        // Awaited inside a lambda, so a store that throws before returning its task fails only its own write.
        var writes = Stores.Select(async s => await s.WriteAsync(path, content, CancellationToken.None)).ToArray();
        try
        {
            return await Task.WhenAll(writes);
        }
        catch
        {
            var failures = new List<Exception>();
            var copiesLeft = false;
            for (var i = 0; i < writes.Length; i++)
            {
                if (writes[i].IsCompletedSuccessfully)
                {
                    try
                    {
                        await Stores[i].UndoWriteAsync(writes[i].Result, CancellationToken.None);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        failures.Add(e);
                        copiesLeft = true;
                    }
                }
                else if (writes[i].Exception?.InnerException is { } failure)
                {
                    failures.Add(failure);
                }
            }

            throw (copiesLeft ? null : failures.OfType<FileAlreadyExistsException>().FirstOrDefault())
                ?? (Exception)new StorageFailedException(path, failures, copiesLeft);
        }
    }

    /// <summary>Undoes the copies <see cref="WriteEverywhereAsync"/> wrote, with the folders they created.</summary>
    public async Task UndoEverywhereAsync(IReadOnlyList<WrittenCopy> copies)
    {
        for (var i = 0; i < copies.Count; i++)
        {
            await Stores[i].UndoWriteAsync(copies[i], CancellationToken.None);
        }
    }

    /// <summary>Removes a file from every location, whatever state each is in; used to recover.</summary>
    public async Task DeleteEverywhereAsync(string path)
    {
        foreach (var store in Stores)
        {
            await store.DeleteAsync(path, CancellationToken.None);
        }
    }
}

public sealed class StorageFailedException(string path, IReadOnlyList<Exception> failures, bool copiesLeft = false)
    : IOException($"storing '{path}' failed: {string.Join("; ", failures.Select(f => f.Message))}", failures.FirstOrDefault())
{
    /// <summary>Some copy was written and could not be removed again; it is still on disk.</summary>
    public bool CopiesLeft { get; } = copiesLeft;
}
