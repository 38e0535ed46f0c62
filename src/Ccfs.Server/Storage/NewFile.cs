using System.Runtime.InteropServices;

namespace Ccfs.Server.Storage;

/// <summary>
/// Puts a finished file in place under a name only if no file has that name, atomically: on Linux with link(2), which
/// fails when the name exists. (File.Move without overwrite checks and then renames, so two processes racing for the
/// same name can both "succeed", the second replacing the first.)
/// </summary>
public static partial class NewFile
{
    private const int AlreadyExists = 17;

    /// <summary>True if <paramref name="finished"/> now also has the name <paramref name="path"/>; false if the name was taken.</summary>
    public static bool TryLink(string finished, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            try
            {
                File.Copy(finished, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }

        if (Link(finished, path) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == AlreadyExists ? false : throw new IOException($"cannot link '{finished}' to '{path}' (errno {errno})");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string name);
}
