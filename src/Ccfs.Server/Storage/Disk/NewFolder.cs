using System.Runtime.InteropServices;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// Creates one folder, never its parents, and tells whether this call created it, so a write knows exactly which
/// folders are its own to remove when it is undone. <c>Directory.CreateDirectory</c> silently creates missing parents
/// and does not say, so on Linux and macOS this calls mkdir(2).
/// </summary>
internal static class NewFolder
{

    /// <summary>rwxrwxrwx, narrowed by the umask, as for every folder .NET creates.</summary>
    private const uint Mode = 0x1FF;

    /// <returns>True if this call created the folder, false if a folder was already there.</returns>
    /// <exception cref="DirectoryNotFoundException">The parent folder does not exist, or no longer does.</exception>
    public static bool TryCreate(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            if (Directory.Exists(path))
            {
                return false;
            }

            Directory.CreateDirectory(path);
            return true;
        }

        if (LibC.MakeDirectory(path, Mode) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            LibC.AlreadyExists when Directory.Exists(path) => false,
            LibC.AlreadyExists => throw new IOException($"'{path}' exists and is not a folder"),
            LibC.NoSuchEntry => throw new DirectoryNotFoundException($"the folder that should hold '{path}' does not exist"),
            _ => throw new IOException($"cannot create the folder '{path}' (errno {errno})"),
        };
    }
}
