using System.Runtime.InteropServices;

namespace Ccfs.Server.Storage;

/// <summary>
/// Removes a file whose path was resolved inside a location, following no link on the way: each folder is opened
/// from the one above it with O_NOFOLLOW, and the name is removed from the last one with unlinkat(2). A folder swapped
/// for a link after the path was resolved therefore cannot lead the removal outside the root. Linux only; elsewhere
/// the plain delete of the resolved path is kept.
/// </summary>
internal static class LinkFreeRemoval
{
    // open(2) flags whose values differ between x86 and ARM Linux.
    private static readonly bool Arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64;
    private static readonly int DirectoryOnly = Arm ? 0x4000 : 0x10000;
    private static readonly int NoFollow = Arm ? 0x8000 : 0x20000;
    private const int CloseOnExec = 0x80000;

    /// <param name="root">The location's root, opened as it is (it may itself be reached through a link).</param>
    /// <param name="relative">The resolved path under <paramref name="root"/>, '/'-separated, with no link left in it.</param>
    /// <param name="path">The storage path, for the exception.</param>
    /// <returns>True if a file was removed, false if there was none (or a folder stood where the file should).</returns>
    /// <exception cref="OutsideRootException">A folder on the way has become a link.</exception>
    public static bool Remove(string root, string relative, string path)
    {
        var names = relative.Split('/');
        var directory = LibC.Open(root, DirectoryOnly | CloseOnExec);
        if (directory < 0)
        {
            throw new IOException($"cannot open the location root '{root}' (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            var current = root;
            foreach (var name in names[..^1])
            {
                current = Path.Join(current, name);
                var next = LibC.OpenAt(directory, name, DirectoryOnly | NoFollow | CloseOnExec);
                if (next < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.LinkLoop || (errno == LibC.NotADirectory && new FileInfo(current).LinkTarget is not null))
                    {
                        throw new OutsideRootException(path);
                    }

                    return errno is LibC.NoSuchEntry or LibC.NotADirectory
                        ? false
                        : throw new IOException($"cannot open '{current}' (errno {errno})");
                }

                _ = LibC.Close(directory);
                directory = next;
            }

            if (LibC.UnlinkAt(directory, names[^1], 0) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno is LibC.NoSuchEntry or LibC.IsADirectory
                    ? false
                    : throw new IOException($"cannot remove '{Path.Join(current, names[^1])}' (errno {errno})");
            }

            if (LibC.Fsync(directory) != 0)
            {
                throw new IOException($"fsync of the folder of '{path}' failed (errno {Marshal.GetLastPInvokeError()})");
            }

            return true;
        }
        finally
        {
            _ = LibC.Close(directory);
        }
    }
}
