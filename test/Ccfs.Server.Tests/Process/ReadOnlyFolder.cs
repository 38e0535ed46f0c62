using System.Diagnostics;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// A folder nothing can be written into, until disposed. Root ignores mode bits, so as root the folder is made
/// immutable (<c>chattr +i</c>); any other user gets mode 0555.
/// </summary>
public sealed class ReadOnlyFolder : IDisposable
{
    private readonly string _path;
    private readonly bool _immutable;

    private ReadOnlyFolder(string path, bool immutable)
    {
        _path = path;
        _immutable = immutable;
    }

    public static ReadOnlyFolder Make(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("a read-only folder is made with Unix modes or attributes");
        }

        if (Environment.UserName != "root")
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            return new ReadOnlyFolder(path, immutable: false);
        }

        Chattr("+i", path);
        return new ReadOnlyFolder(path, immutable: true);
    }

    public void Dispose()
    {
        if (_immutable)
        {
            Chattr("-i", _path);
        }
        else if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void Chattr(string change, string path)
    {
        using var chattr = System.Diagnostics.Process.Start(new ProcessStartInfo("chattr", [change, path]) { RedirectStandardError = true })!;
        var error = chattr.StandardError.ReadToEnd();
        chattr.WaitForExit();
        Assert.True(chattr.ExitCode == 0, $"chattr {change} {path} failed (the test needs a file system with attributes): {error}");
    }
}
