using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// Opens a stored file for reading only when it is a regular file. A named pipe, socket or device placed in a location
/// counts as no file at all, so hash and download answer <c>0300011</c> as for a path with nothing to serve: it is not
/// a malformed path (<c>0300004</c>), and opening a pipe for reading would block the request until a writer came.
/// </summary>
/// <remarks>
/// On Linux the file is opened with O_NONBLOCK (a pipe opens at once instead of waiting), its type is read from the
/// opened descriptor (statx), and the descriptor's own path is read back from <c>/proc/self/fd</c>, so the caller can
/// check where the open really led even if a link was swapped in after the path was resolved. Other systems keep the
/// plain open.
/// </remarks>
internal static unsafe partial class RegularFile
{
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int EmptyPath = 0x1000;
    private const uint TypeField = 0x1;
    private const int NoFollow = 0x100;
    private const uint SizeAndModified = TypeField | 0x40 | 0x200;
    private const int StatxSize = 256;
    private const int StatxModeOffset = 0x1C;
    private const int StatxSizeOffset = 0x28;
    private const int StatxModifiedOffset = 0x70;
    private const int TypeMask = 0xF000;
    private const int RegularType = 0x8000;

    /// <param name="path">The resolved full path.</param>
    /// <param name="openedPath">Where the opened file really is, every link resolved; null where that cannot be known.</param>
    /// <returns>The open file, or null if nothing, or something other than a regular file, is there.</returns>
    public static Stream? OpenRead(string path, out string? openedPath)
    {
        openedPath = null;
        if (!OperatingSystem.IsLinux())
        {
            return OpenPortable(path);
        }

        var fd = LibC.Open(path, NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                LibC.NoSuchEntry or LibC.NotADirectory or LibC.NoDevice => null,
                LibC.AccessDenied => throw new UnauthorizedAccessException($"'{path}' cannot be read"),
                _ => throw new IOException($"cannot open '{path}' (errno {errno})"),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (!IsRegular(fd, path))
            {
                handle.Dispose();
                return null;
            }

            openedPath = new FileInfo($"/proc/self/fd/{fd}").LinkTarget
                ?? throw new IOException($"cannot tell where '{path}' was opened");
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The path with every link resolved (realpath(3)); the path itself where that is not available.</summary>
    public static string RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return path;
        }

        var resolved = ResolveRealPath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            throw new IOException($"cannot resolve '{path}' (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved)!;
        }
        finally
        {
            NativeMemory.Free((void*)resolved);
        }
    }

    /// <summary>
    /// The size and last-modified time of <paramref name="name"/> in the open folder <paramref name="directory"/>, the
    /// name not followed if it is a link; false when it is no regular file (a link, a folder, a pipe) or is gone.
    /// </summary>
    public static bool TryStatAt(int directory, string name, out long size, out DateTimeOffset modified)
    {
        size = 0;
        modified = default;
        var buffer = stackalloc byte[StatxSize];
        if (Statx(directory, name, NoFollow, SizeAndModified, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is LibC.NoSuchEntry or LibC.NotADirectory
                ? false
                : throw new IOException($"cannot read the size and time of '{name}' (errno {errno})");
        }

        if ((*(ushort*)(buffer + StatxModeOffset) & TypeMask) != RegularType)
        {
            return false;
        }

        size = *(long*)(buffer + StatxSizeOffset);
        // struct statx_timestamp: seconds, then nanoseconds.
        modified = DateTimeOffset.FromUnixTimeSeconds(*(long*)(buffer + StatxModifiedOffset))
            .AddTicks(*(uint*)(buffer + StatxModifiedOffset + 8) / 100);
        return true;
    }

    private static bool IsRegular(int fd, string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Statx(fd, "", EmptyPath, TypeField, buffer) != 0)
        {
            throw new IOException($"cannot read the type of '{path}' (errno {Marshal.GetLastPInvokeError()})");
        }

        return (*(ushort*)(buffer + StatxModeOffset) & TypeMask) == RegularType;
    }

    private static Stream? OpenPortable(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException
                                      || (e is UnauthorizedAccessException && Directory.Exists(path)))
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr ResolveRealPath(string path, IntPtr resolved);
}
