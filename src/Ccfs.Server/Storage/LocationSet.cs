using Ccfs.Server.Paths;
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

    /// <summary>The longest <see cref="IFileStore.LateWriteWindow"/> of the locations: an undone upload's name is freed only after it.</summary>
    public TimeSpan LateWriteWindow => Stores.Count == 0 ? TimeSpan.Zero : Stores.Max(s => s.LateWriteWindow);

    /// <summary>
    /// Stages the file in every location in parallel (<see cref="IFileStore.StageAsync"/>). If any fails, what the others
    /// staged is removed and the failure rethrown.
    /// </summary>
    public async Task<StagedCopies> StageEverywhereAsync(ReadOnlyMemory<byte> content)
    {
        var stages = InParallel(i => Stores[i].StageAsync(content, CancellationToken.None));
        try
        {
            return new StagedCopies(this, await Task.WhenAll(stages));
        }
        catch
        {
            var failures = new List<Exception>();
            foreach (var stage in stages)
            {
                if (stage.IsCompletedSuccessfully)
                {
                    await stage.Result.DisposeAsync();
                }
                else if (stage.Exception?.InnerException is { } failure)
                {
                    failures.Add(failure);
                }
            }

            throw new StorageFailedException("a new file", failures);
        }
    }

    /// <summary>Stages and places the file everywhere, for writes with no catalog step between (tests, tools).</summary>
    public async Task<IReadOnlyList<WrittenCopy>> WriteEverywhereAsync(StoragePath path, ReadOnlyMemory<byte> content)
    {
        await using var staged = await StageEverywhereAsync(content);
        return await staged.PlaceAsync(path);
    }

    /// <summary>
    /// Starts <paramref name="work"/> for every location, by its index: the others' on the thread pool, the first's on this thread, as a
    /// disk store's work is a blocking write and fsync, and with one location (the usual case) nothing needs a second
    /// thread. A store that throws fails only its own task.
    /// </summary>
    internal Task<T>[] InParallel<T>(Func<int, Task<T>> work)
    {
        var tasks = new Task<T>[Stores.Count];
        for (var i = 1; i < tasks.Length; i++)
        {
            var index = i;
            tasks[i] = Task.Run(() => work(index));
        }

        try
        {
            tasks[0] = work(0);
        }
        catch (Exception e)
        {
            tasks[0] = Task.FromException<T>(e);
        }

        return tasks;
    }

    /// <summary>Undoes the copies <see cref="StagedCopies.PlaceAsync"/> placed, with the folders they created.</summary>
    public async Task UndoEverywhereAsync(IReadOnlyList<WrittenCopy> copies)
    {
        for (var i = 0; i < copies.Count; i++)
        {
            await Stores[i].UndoWriteAsync(copies[i], CancellationToken.None);
        }
    }

    /// <summary>Removes a file from every location, whatever state each is in; used to recover.</summary>
    public async Task DeleteEverywhereAsync(StoragePath path)
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

    /// <summary>Each location's failure: its own step's, or the undo's of a copy it had placed.</summary>
    public IReadOnlyList<Exception> Failures { get; } = failures;
}

/// <summary>A file staged in every location (<see cref="LocationSet.StageEverywhereAsync"/>), waiting for its name.</summary>
public sealed class StagedCopies(LocationSet locations, IReadOnlyList<IStagedFile> staged) : IAsyncDisposable
{
    /// <summary>
    /// Places the staged copies under <paramref name="path"/> in parallel. If any placement fails, the copies already
    /// placed are undone (with the folders they created) and the failure is rethrown: a half-replicated file never
    /// stays behind. A copy that cannot be undone either is reported with <see cref="StorageFailedException.CopiesLeft"/>.
    /// </summary>
    /// <returns>Each location's copy, in the order of <see cref="LocationSet.Stores"/>.</returns>
    public async Task<IReadOnlyList<WrittenCopy>> PlaceAsync(StoragePath path)
    {
        var placements = locations.InParallel(i => staged[i].PlaceAsync(path, CancellationToken.None));
        try
        {
            return await Task.WhenAll(placements);
        }
        catch
        {
            var failures = new List<Exception>();
            var copiesLeft = false;
            for (var i = 0; i < placements.Length; i++)
            {
                if (placements[i].IsCompletedSuccessfully)
                {
                    try
                    {
                        await locations.Stores[i].UndoWriteAsync(placements[i].Result, CancellationToken.None);
                    }
                    catch (Exception e) when (StorageFailure.Is(e))
                    {
                        failures.Add(e);
                        copiesLeft = true;
                    }
                }
                else if (placements[i].Exception?.InnerException is { } failure)
                {
                    failures.Add(failure);
                }
            }

            throw (copiesLeft ? null : failures.OfType<FileAlreadyExistsException>().FirstOrDefault())
                ?? (Exception)new StorageFailedException(path.Value, failures, copiesLeft);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var file in staged)
        {
            await file.DisposeAsync();
        }
    }
}
