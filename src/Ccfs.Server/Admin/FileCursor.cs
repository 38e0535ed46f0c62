using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Ccfs.Server.Catalog;

namespace Ccfs.Server.Admin;

/// <summary>
/// The <c>next</c> of a files page and the <c>after</c> of the following one: the last file's creation time (Unix
/// milliseconds) and its path, as <c>1795512345678:/3rdfile/53/thirdvoicebotfile/x.wav</c>.
/// </summary>
public static class FileCursor
{
    public static string Format(FileRecord last) =>
        string.Create(CultureInfo.InvariantCulture, $"{last.CreatedAt.ToUnixTimeMilliseconds()}:{last.Path}");

    public static bool TryParse(string text, [NotNullWhen(true)] out NewestFirstCursor? cursor)
    {
        cursor = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1
            || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        cursor = new NewestFirstCursor(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), text[(colon + 1)..]);
        return true;
    }
}
