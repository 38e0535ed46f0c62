using System.Globalization;

namespace Ccfs.Cli;

/// <summary>Sizes like <c>1MB</c> and durations like <c>20s</c> on the command line.</summary>
public static class Units
{
    /// <summary>Bytes; KB, MB and GB are binary (1024), as CC-FS's size parameter is.</summary>
    public static long ParseSize(string text)
    {
        var trimmed = text.Trim().ToUpperInvariant();
        var (number, factor) = trimmed switch
        {
            _ when trimmed.EndsWith("GIB", StringComparison.Ordinal) => (trimmed[..^3], 1024L * 1024 * 1024),
            _ when trimmed.EndsWith("MIB", StringComparison.Ordinal) => (trimmed[..^3], 1024L * 1024),
            _ when trimmed.EndsWith("KIB", StringComparison.Ordinal) => (trimmed[..^3], 1024L),
            _ when trimmed.EndsWith("GB", StringComparison.Ordinal) => (trimmed[..^2], 1024L * 1024 * 1024),
            _ when trimmed.EndsWith("MB", StringComparison.Ordinal) => (trimmed[..^2], 1024L * 1024),
            _ when trimmed.EndsWith("KB", StringComparison.Ordinal) => (trimmed[..^2], 1024L),
            _ when trimmed.EndsWith('B') => (trimmed[..^1], 1L),
            _ => (trimmed, 1L),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value * factor < long.MaxValue
            ? (long)(value * factor)
            : throw new UsageException($"'{text}' is not a size (e.g. 100KB, 1MB, 5242880)");
    }

    /// <param name="allowZero">Whether 0 is a duration here (a pad of no silence), not a mistake.</param>
    public static TimeSpan ParseDuration(string text, bool allowZero = false)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        var (number, unit) = trimmed switch
        {
            _ when trimmed.EndsWith("ms", StringComparison.Ordinal) => (trimmed[..^2], TimeSpan.FromMilliseconds(1)),
            _ when trimmed.EndsWith('s') => (trimmed[..^1], TimeSpan.FromSeconds(1)),
            _ when trimmed.EndsWith('m') => (trimmed[..^1], TimeSpan.FromMinutes(1)),
            _ => (trimmed, TimeSpan.FromSeconds(1)),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && (value > 0 || (allowZero && value == 0))
            ? unit * value
            : throw new UsageException($"'{text}' is not a duration (e.g. 500ms, 20s, 2m)");
    }
}
