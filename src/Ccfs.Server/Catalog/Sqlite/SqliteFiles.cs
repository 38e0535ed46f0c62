namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>
/// The catalog's three files (<c>catalog.db</c> and, in WAL mode, its <c>-wal</c> and memory-mapped <c>-shm</c>) must be
/// writable before SQLite touches them: SQLite maps the <c>-shm</c> file, and a write through that mapping to a file the
/// kernel will not let grow (immutable, <c>chattr +i</c>) kills the process with SIGBUS, with no log line. Opening each
/// for writing first turns that into a refusal with a reason.
/// </summary>
internal static class SqliteFiles
{
    public static IEnumerable<string> Of(string catalogPath) => [catalogPath, catalogPath + "-wal", catalogPath + "-shm"];

    /// <summary>The first of the catalog's files that exists and cannot be opened for writing, with why; null when all can.</summary>
    public static string? Unwritable(string catalogPath)
    {
        foreach (var file in Of(catalogPath))
        {
            if (Directory.Exists(file))
            {
                return $"the catalog {file} cannot be used: it is a directory";
            }

            try
            {
                using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                return $"the catalog file {file} cannot be written ({e.Message.TrimEnd('.')}); it may be immutable (lsattr) or read-only";
            }
        }

        return null;
    }
}
