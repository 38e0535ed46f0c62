using System.Globalization;
using Ccfs.Protocol;
using Ccfs.Server.Parameters;

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

    /// <summary>
    /// Adds a problem for each parameter not in <paramref name="known"/>: a misspelt or guessed one (<c>after</c> where the
    /// page goes by <c>before</c>) would otherwise be ignored, and its caller handed an answer to another question.
    /// </summary>
    public static void RefuseUnknown(HttpContext http, List<string> problems, params string[] known)
    {
        foreach (var name in AdminAuth.Request(http).Query.Select(p => p.Key).Distinct(StringComparer.Ordinal))
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                problems.Add($"'{name}' is not a parameter here; the parameters are {string.Join(", ", known)}");
            }
        }
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or null when absent; a bad value adds a problem.</summary>
    public static int? Integer(HttpContext http, string name, int min, int max, List<string> problems) =>
        (int?)Long(http, name, min, max, problems);

    /// <summary>A VDN number, or null when absent; anything but one spelling of a VDN (<c>01</c>, <c>+1</c>, <c>0</c>) adds a problem.</summary>
    public static int? Vdn(HttpContext http, string name, List<string> problems)
    {
        if (Text(http, name) is not { } text)
        {
            return null;
        }

        if (VdnId.TryParse(text, out var vdnId))
        {
            return vdnId;
        }

        problems.Add($"{name} {NotAVdn}");
        return null;
    }

    /// <summary>The VDN number a route names, or the refusal: the route takes any text, so a VDN has one spelling here too.</summary>
    public static bool TryRouteVdn(string text, out int vdnId, out IResult? refusal)
    {
        refusal = VdnId.TryParse(text, out vdnId) ? null : AdminResults.Invalid($"'{text}' {NotAVdn}");
        return refusal is null;
    }

    private const string NotAVdn = "is not a VDN number: a whole number from 1 to 2147483647, without leading zeros";

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
