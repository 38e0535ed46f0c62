using Ccfs.Server.Configuration;

namespace Ccfs.Server.Hosting;

/// <summary>
/// Proves before anything starts that the data dir and every disk location can be written, so an unusable folder stops
/// the server with one line naming it, not with an exception from whichever service touched it first.
/// </summary>
public static class StartupCheck
{
    public static void Run(CcfsSettings settings)
    {
        RequireWritableFolder(settings.DataDir, "Ccfs:DataDir");
        // An S3 location has no folder: start-up recovery lists its bucket, and a failure there names the location.
        foreach (var location in settings.Locations.Where(l => l.S3 is null))
        {
            RequireWritableFolder(location.Root, $"location {location.Id}");
        }
    }

    /// <param name="folder">The folder, created if missing.</param>
    /// <param name="role">What the folder is, for the message.</param>
    public static void RequireWritableFolder(string folder, string role)
    {
        if (File.Exists(folder))
        {
            throw new CcfsStartupException($"{folder} ({role}) is a file, not a folder");
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CcfsStartupException($"{folder} ({role}) cannot be created: {WhyNotCreated(folder, e)}");
        }

        var probe = Path.Combine(folder, $".ccfs-write-test-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (UnauthorizedAccessException)
        {
            throw new CcfsStartupException($"{folder} is not writable by user {Environment.UserName} ({role})");
        }
        catch (IOException e)
        {
            throw new CcfsStartupException($"{folder} is not writable ({role}): {e.Message}");
        }
    }

    /// <summary>A folder under a regular file cannot be made; .NET only says a part of the path was not found.</summary>
    private static string WhyNotCreated(string folder, Exception e)
    {
        for (var parent = Path.GetDirectoryName(folder); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                return $"{parent} is a file, not a folder";
            }

            if (Directory.Exists(parent))
            {
                break;
            }
        }

        return e.Message;
    }
}

/// <summary>The server cannot start for a reason outside its configuration keys (a folder, a port, a file).</summary>
/// <param name="transient">The reason may pass by itself (the catalog out of reach, a full disk): a restart later may work.</param>
public sealed class CcfsStartupException(string message, Exception? inner = null, bool transient = false) : Exception(message, inner)
{
    public bool Transient { get; } = transient;
}
