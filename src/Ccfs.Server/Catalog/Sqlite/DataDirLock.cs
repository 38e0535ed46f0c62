using Ccfs.Server.Hosting;

namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>
/// An exclusive lock on <c>{DataDir}/ccfs.lock</c>, held for the life of the process: a SQLite catalog belongs to one
/// process, whose recovery may then finish every unfinished row it did not start. A second server on the same data dir
/// refuses to start and says which process holds it (written to <c>ccfs.lock.owner</c>, which others can read: the lock
/// file itself cannot be opened while it is held). On Linux .NET takes <c>flock(LOCK_EX|LOCK_NB)</c> for
/// <see cref="FileShare.None"/>; the kernel releases it when the process ends, however it ends.
/// </summary>
public sealed class DataDirLock : IDisposable
{
    private const string FileName = "ccfs.lock";
    private const string OwnerFileName = "ccfs.lock.owner";
    private readonly FileStream _lock;

    private DataDirLock(FileStream held) => _lock = held;

    public static DataDirLock Acquire(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        var owner = Path.Combine(dataDir, OwnerFileName);
        FileStream stream;
        try
        {
            Directory.CreateDirectory(dataDir);
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new CcfsStartupException($"the data dir {dataDir} is in use by another ccfs process ({HolderOf(owner)}; lock file "
                + $"{path}): a SQLite catalog belongs to one process. Stop that process, give this one its own Ccfs:DataDir, or run "
                + "several nodes on a PostgreSQL catalog (Ccfs:Catalog:Provider=Postgres)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CcfsStartupException($"the data dir {dataDir} is not writable: {e.Message}", e);
        }

        try
        {
            File.WriteAllText(owner, $"pid {Environment.ProcessId} on {Environment.MachineName}\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The lock holds without it; only the message to a second process would lack the pid.
        }

        return new DataDirLock(stream);
    }

    public void Dispose() => _lock.Dispose();

    private static string HolderOf(string owner)
    {
        try
        {
            return File.ReadAllText(owner).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "pid unknown";
        }
    }
}
