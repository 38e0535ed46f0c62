using System.Globalization;

namespace Ccfs.Protocol.Auth;

/// <summary>
/// The timestamp inside an auth-v2 header: UTC, <c>yyyy-MM-ddTHH:mm:ssZ</c>, optionally with 1 to 9 fractional
/// digits. It enters the signature verbatim, so it is parsed only to check freshness and never re-formatted.
/// </summary>
public static class AuthV2Timestamp
{
    /// <summary>Formats <paramref name="time"/> as the demo does (seconds) or as the documentation shows (milliseconds).</summary>
    public static string Format(DateTimeOffset time, bool milliseconds = true) =>
        time.UtcDateTime.ToString(milliseconds ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'",
            CultureInfo.InvariantCulture);

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        // 2021-08-31T09:38:50Z is 20 characters; a fraction adds a dot and 1-9 digits.
        if (text.Length < 20 || text.Length > 30 || text[^1] != 'Z'
            || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!TryDigits(text[..4], out var y) || !TryDigits(text.Slice(5, 2), out var mo)
            || !TryDigits(text.Slice(8, 2), out var d) || !TryDigits(text.Slice(11, 2), out var h)
            || !TryDigits(text.Slice(14, 2), out var mi) || !TryDigits(text.Slice(17, 2), out var s))
        {
            return false;
        }

        int year = (int)y, month = (int)mo, day = (int)d, hour = (int)h, minute = (int)mi, second = (int)s;

        long ticks = 0;
        var fraction = text[19..^1];
        if (fraction.Length > 0)
        {
            if (fraction[0] != '.' || fraction.Length < 2 || !TryDigits(fraction[1..], out var digits))
            {
                return false;
            }

            // Scale to 100 ns ticks: 7 fractional digits are exact, more are truncated.
            var count = fraction.Length - 1;
            ticks = count <= 7 ? digits * Pow10(7 - count) : digits / Pow10(count - 7);
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks));
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        return true;
    }

    private static long Pow10(int exponent)
    {
        long result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
