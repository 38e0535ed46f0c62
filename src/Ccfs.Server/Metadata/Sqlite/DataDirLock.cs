using Ccfs.Server.Configuration;

namespace Ccfs.Server.Metadata.Sqlite;

/// <summary>
/// An exclusive lock on <c>{DataDir}/ccfs.lock</c>, held for the life of the process: a SQLite catalog belongs to one
/// process, whose recovery may then finish every unfinished row it did not start. A second server on the same data dir
/// refuses to start and says which process holds it. (On Linux .NET takes <c>flock(LOCK_EX|LOCK_NB)</c> for
/// <see cref="FileShare.None"/>; the kernel releases it when the process ends, however it ends.)
/// </summary>
public sealed class DataDirLock : IDisposable
{
    private const string FileName = "ccfs.lock";
    private readonly FileStream _lock;

    private DataDirLock(FileStream held) => _lock = held;

    public static DataDirLock Acquire(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        try
        {
            Directory.CreateDirectory(dataDir);
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            using (var writer = new StreamWriter(stream, leaveOpen: true))
            {
                writer.Write($"{Environment.ProcessId}\n");
            }

            stream.Flush();
            return new DataDirLock(stream);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new CcfsConfigurationException([$"the data dir {dataDir} is in use by another ccfs process (pid {HolderOf(path)}; "
                + $"lock file {path}): a SQLite catalog belongs to one process. Stop that process, give this one its own "
                + $"Ccfs:DataDir, or run several nodes on a PostgreSQL catalog ({e.Message.TrimEnd('.')})"]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CcfsConfigurationException([$"the data dir {dataDir} is not writable: {e.Message}"]);
        }
    }

    public void Dispose() => _lock.Dispose();

    private static string HolderOf(string path)
    {
        try
        {
            using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadLine()?.Trim() is { Length: > 0 } pid ? pid : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
