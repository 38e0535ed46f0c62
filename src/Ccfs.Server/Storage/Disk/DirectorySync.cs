using System.Runtime.InteropServices;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// fsync of a directory, so a rename or unlink in it survives a crash. .NET cannot open a directory handle
/// (<c>File.OpenHandle</c> refuses), so on Linux and macOS this calls libc directly.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = LibC.Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (LibC.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }
}
