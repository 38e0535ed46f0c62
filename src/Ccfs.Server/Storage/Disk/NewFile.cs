using System.Runtime.InteropServices;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// Puts a finished file in place under a name only if no file has that name, atomically where the file system allows:
/// with link(2), which fails when the name exists. File.Move without overwrite checks and then renames on Unix, so two
/// writers racing for one name could both "succeed", the second replacing the first; it remains the fallback for file
/// systems that refuse hard links (some SMB, FUSE and exFAT mounts) and for Windows, where the move itself refuses.
/// </summary>
public static class NewFile
{
    /// <summary>True if <paramref name="finished"/> now has the name <paramref name="path"/>; false if the name was taken.</summary>
    public static bool TryLink(string finished, string path)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (LibC.Link(finished, path) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.AlreadyExists)
            {
                return false;
            }

            if (!LinksRefused(errno))
            {
                throw new IOException($"cannot link '{finished}' to '{path}' (errno {errno})");
            }
        }

        return TryMove(finished, path);
    }

    /// <summary>The fallback where links are refused: false if the name exists (checked, then renamed: not atomic).</summary>
    public static bool TryMove(string finished, string path)
    {
        try
        {
            File.Move(finished, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    /// <summary>The file system does not do hard links here (EPERM, EXDEV, EMLINK, ENOTSUP, ENOSYS on Linux or macOS).</summary>
    public static bool LinksRefused(int errno) =>
        errno is LibC.NotPermitted or LibC.CrossDevice or LibC.TooManyLinks || errno == LibC.NotSupported || errno == LibC.NoSuchCall;
}
