using System.Buffers;

namespace Ccfs.Cli;

/// <summary>A word of a command ccfs suggests, written so that pasting the command into a POSIX shell passes it unchanged.</summary>
internal static class ShellWord
{
    private static readonly SearchValues<char> Plain =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-");

    /// <summary>The word as it is when the shell would not split or expand it; otherwise in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && !word.AsSpan().ContainsAnyExcept(Plain) ? word : $"'{word.Replace("'", @"'\''", StringComparison.Ordinal)}'";
}
