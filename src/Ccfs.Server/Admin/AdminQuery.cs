using System.Globalization;
using Ccfs.Protocol;

namespace Ccfs.Server.Admin;

/// <summary>
/// Query parameters of an admin request, read from the form-decoded query the signature covered (not ASP.NET's own
/// parse of it), after the admin check, so a malformed value is answered only to an administrator.
/// </summary>
public static class AdminQuery
{
    /// <summary>The value, or null when absent or empty.</summary>
    public static string? Text(HttpContext http, string name) =>
        FormQuery.Get(AdminAuth.Request(http).Query, name) is { Length: > 0 } value ? value : null;

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or null when absent; a bad value adds a problem.</summary>
    public static int? Integer(HttpContext http, string name, int min, int max, List<string> problems) =>
        (int?)Long(http, name, min, max, problems);

    /// <summary>As <see cref="Integer"/>, for 64-bit values such as audit entry ids.</summary>
    public static long? Long(HttpContext http, string name, long min, long max, List<string> problems)
    {
        if (Text(http, name) is not { } text)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{name} must be a whole number from {min} to {max}");
        return null;
    }
}
