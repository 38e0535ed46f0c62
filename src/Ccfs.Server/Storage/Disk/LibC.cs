using System.Runtime.InteropServices;

namespace Ccfs.Server.Storage.Disk;

/// <summary>
/// The few libc calls .NET has no safe equivalent for (a directory's fsync, mkdir without parents, link without
/// replacing, a non-blocking open, the file-descriptor limit), and the errno values the storage code tells apart. Linux
/// and macOS share these numbers; those that differ are resolved at start.
/// </summary>
internal static partial class LibC
{
    public const int NotPermitted = 1;
    public const int NoSuchEntry = 2;
    public const int NoDevice = 6;
    public const int AccessDenied = 13;
    public const int AlreadyExists = 17;
    public const int CrossDevice = 18;
    public const int NotADirectory = 20;
    public const int IsADirectory = 21;
    public const int TooManyLinks = 31;
    public const int LinkLoop = 40;
    public static readonly int NotSupported = OperatingSystem.IsMacOS() ? 45 : 95;
    public static readonly int NoSuchCall = OperatingSystem.IsMacOS() ? 78 : 38;

    public static readonly int OpenFilesLimit = OperatingSystem.IsMacOS() ? 8 : 7;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetResourceLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int directory, string name, int flags);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int directory, string name, int flags);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(int fromDirectory, string from, int toDirectory, string to, int flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt(int fromDirectory, string from, int toDirectory, string to);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MakeDirectory(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string existing, string name);
}

/// <summary>struct rlimit: rlim_t is 64 bits on 64-bit Linux and on macOS.</summary>
internal struct ResourceLimit
{
    public ulong Current;
    public ulong Maximum;
}
