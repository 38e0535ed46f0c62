namespace Ccfs.Server.Hosting;

/// <summary>
/// <c>--ephemeral</c>: a data dir of its own in a new temporary folder, removed when the server stops (SIGTERM,
/// Ctrl-C) or fails to start. A SIGKILL leaves it behind, in the system's temporary folder.
/// </summary>
public sealed class EphemeralDataDir : IDisposable
{
    private EphemeralDataDir(string path) => Path = path;

    public string Path { get; }

    public static EphemeralDataDir Create() => new(Directory.CreateTempSubdirectory("ccfs-ephemeral-").FullName);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"ccfs: the ephemeral data dir {Path} could not be removed: {e.Message}");
        }
    }
}
