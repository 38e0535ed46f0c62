using System.Runtime.InteropServices;

namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>
/// The catalog's three files (<c>catalog.db</c> and, in WAL mode, its <c>-wal</c> and memory-mapped <c>-shm</c>) must be
/// writable before SQLite touches them: SQLite maps the <c>-shm</c> file, and a write through that mapping to a file the
/// kernel will not let grow (immutable, <c>chattr +i</c>) kills the process with SIGBUS, with no log line. Asking the
/// kernel first turns that into a refusal with a reason.
/// </summary>
/// <remarks>
/// The files are never opened here. POSIX locks belong to a process and a file, and closing any descriptor of a file
/// drops every lock the process holds on it: SQLite's own locks would go, and the next <c>sqlite3</c> (or backup, or
/// <c>scrub</c>) to close its connection would take this server for gone and delete the write-ahead log under it,
/// losing what was acknowledged since. <c>access(2)</c> asks the same question (permissions, a read-only mount, an
/// immutable file) without a descriptor.
/// </remarks>
internal static partial class SqliteFiles
{
    private const int WriteAccess = 2;
    private const int NoSuchEntry = 2;

    public static IEnumerable<string> Of(string catalogPath) => [catalogPath, catalogPath + "-wal", catalogPath + "-shm"];

    /// <summary>The first of the catalog's files that exists and cannot be written, with why; null when all can.</summary>
    public static string? Unwritable(string catalogPath)
    {
        foreach (var file in Of(catalogPath))
        {
            if (Directory.Exists(file))
            {
                return $"the catalog {file} cannot be used: it is a directory";
            }

            if (CannotWrite(file) is { } reason)
            {
                return $"the catalog file {file} cannot be written ({reason}); it may be immutable (lsattr) or read-only";
            }
        }

        return null;
    }

    private static string? CannotWrite(string file)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows has no POSIX locks to lose; an open is the question there.
            try
            {
                using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                return null;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                return e.Message.TrimEnd('.');
            }
        }

        if (Access(file, WriteAccess) == 0)
        {
            return null;
        }

        var error = Marshal.GetLastPInvokeError();
        return error == NoSuchEntry ? null : Marshal.GetPInvokeErrorMessage(error);
    }

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
