using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;

namespace Ccfs.Cli;

/// <summary>The files a command's FILE arguments name, for <c>upload</c> and <c>check</c> alike.</summary>
internal static class FilePatterns
{
    /// <summary>
    /// Files as given, and patterns expanded (<c>*</c> and <c>?</c> in any folder or file name, <c>**</c> for any depth),
    /// each pattern's matches in order.
    /// </summary>
    public static List<string> Expand(IEnumerable<string> arguments)
    {
        var paths = new List<string>();
        foreach (var argument in arguments)
        {
            if (argument.AsSpan().IndexOfAny('*', '?') < 0)
            {
                paths.Add(File.Exists(argument) ? argument : throw new UsageException($"no such file: {argument}"));
                continue;
            }

            // The folders before the first wildcard are where the search starts; the rest is the pattern.
            var segments = argument.Split('/', '\\');
            var wild = Array.FindIndex(segments, s => s.AsSpan().IndexOfAny('*', '?') >= 0);
            var start = wild == 0 ? "." : string.Join('/', segments[..wild]) is { Length: > 0 } folders ? folders : "/";
            var matcher = new Matcher(StringComparison.Ordinal).AddInclude(string.Join('/', segments[wild..]));
            var matches = Directory.Exists(start)
                ? matcher.Execute(new DirectoryInfoWrapper(new DirectoryInfo(start))).Files
                    .Select(m => wild == 0 ? m.Path : Path.Join(start, m.Path)).Order(StringComparer.Ordinal).ToList()
                : [];
            paths.AddRange(matches.Count > 0 ? matches : throw new UsageException($"no file matches {argument}"));
        }

        return paths;
    }
}
