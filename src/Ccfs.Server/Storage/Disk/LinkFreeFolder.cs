using System.Runtime.InteropServices;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// Acts on a path resolved inside a location without following any link on the way: each folder is opened from the
/// one above it with O_NOFOLLOW, and the file is linked, renamed or removed relative to the last one (linkat,
/// renameat, unlinkat). A folder swapped for a link after the path was resolved therefore cannot lead a write or a
/// delete outside the root. Linux only; elsewhere the store keeps the plain path operations.
/// </summary>
internal static class LinkFreeFolder
{
    // open(2) flags whose values differ between x86 and ARM Linux.
    private static readonly bool Arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64;
    private static readonly int DirectoryOnly = Arm ? 0x4000 : 0x10000;
    private static readonly int NoFollow = Arm ? 0x8000 : 0x20000;
    private const int CloseOnExec = 0x80000;
    private const int CurrentDirectory = -100;

    /// <summary>Links <paramref name="finished"/> as <paramref name="relative"/>; false if that name exists.</summary>
    /// <exception cref="DirectoryNotFoundException">A folder on the way does not exist (any more).</exception>
    /// <exception cref="OutsideRootException">A folder on the way has become a link.</exception>
    public static bool TryLink(string root, string relative, string finished, string path) =>
        InFolder(root, relative, path, (directory, name) =>
        {
            if (LibC.LinkAt(CurrentDirectory, finished, directory, name, 0) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == LibC.AlreadyExists
                ? false
                : NewFile.LinksRefused(errno)
                    ? NewFile.TryMove(finished, Path.Join(root, relative))
                    : throw new IOException($"cannot link '{finished}' as '{path}' (errno {errno})");
        }) ?? throw new DirectoryNotFoundException($"the folder of '{path}' does not exist");

    /// <summary>Renames <paramref name="finished"/> to <paramref name="relative"/>, replacing what had that name.</summary>
    public static void Replace(string root, string relative, string finished, string path) =>
        _ = InFolder(root, relative, path, (directory, name) => LibC.RenameAt(CurrentDirectory, finished, directory, name) == 0
            ? true
            : throw new IOException($"cannot rename '{finished}' to '{path}' (errno {Marshal.GetLastPInvokeError()})"))
            ?? throw new DirectoryNotFoundException($"the folder of '{path}' does not exist");

    /// <summary>Removes <paramref name="relative"/>; false if there was no file (or a folder stood where it should).</summary>
    public static bool Remove(string root, string relative, string path) =>
        InFolder(root, relative, path, (directory, name) =>
        {
            if (LibC.UnlinkAt(directory, name, 0) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno is LibC.NoSuchEntry or LibC.IsADirectory
                ? false
                : throw new IOException($"cannot remove '{path}' (errno {errno})");
        }) ?? false;

    /// <summary>
    /// Opens the folder <paramref name="names"/> below the root, each opened from the one above it without following a
    /// link; its descriptor, or -1 when a folder on the way does not exist.
    /// </summary>
    /// <exception cref="OutsideRootException">A folder on the way is a link.</exception>
    public static int OpenFolder(string root, ReadOnlySpan<string> names, string path)
    {
        var directory = LibC.Open(root, DirectoryOnly | CloseOnExec);
        if (directory < 0)
        {
            throw new IOException($"cannot open the location root '{root}' (errno {Marshal.GetLastPInvokeError()})");
        }

        var current = root;
        foreach (var name in names)
        {
            current = Path.Join(current, name);
            var next = LibC.OpenAt(directory, name, DirectoryOnly | NoFollow | CloseOnExec);
            var errno = Marshal.GetLastPInvokeError();
            _ = LibC.Close(directory);
            if (next < 0)
            {
                if (errno == LibC.LinkLoop || (errno == LibC.NotADirectory && new FileInfo(current).LinkTarget is not null))
                {
                    throw new OutsideRootException(path);
                }

                return errno is LibC.NoSuchEntry or LibC.NotADirectory
                    ? -1
                    : throw new IOException($"cannot open '{current}' (errno {errno})");
            }

            directory = next;
        }

        return directory;
    }

    /// <summary>
    /// Opens the folder <paramref name="name"/> in an open folder without following it; -1 when it is a link, no folder,
    /// gone, or not ours to read. A walk skips such a name.
    /// </summary>
    public static int OpenChildFolder(int directory, string name) => LibC.OpenAt(directory, name, DirectoryOnly | NoFollow | CloseOnExec);

    /// <summary>
    /// Runs <paramref name="act"/> on the folder of <paramref name="relative"/> and its file name, then fsyncs the
    /// folder if it changed; null when a folder on the way does not exist.
    /// </summary>
    private static bool? InFolder(string root, string relative, string path, Func<int, string, bool> act)
    {
        var names = relative.Split('/');
        var directory = OpenFolder(root, names.AsSpan(0, names.Length - 1), path);
        if (directory < 0)
        {
            return null;
        }

        try
        {
            if (!act(directory, names[^1]))
            {
                return false;
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
