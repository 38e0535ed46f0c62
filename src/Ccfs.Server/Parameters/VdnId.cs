namespace Ccfs.Server.Parameters;

/// <summary>
/// A VDN number as it travels in <c>vdnId</c> and in paths: a positive 32-bit integer in plain digits, without leading
/// zeros, so each VDN has one spelling and one folder.
/// </summary>
public static class VdnId
{
    public static bool TryParse(ReadOnlySpan<char> text, out int vdnId)
    {
        vdnId = 0;
        if (text.IsEmpty || text.Length > 10 || text[0] == '0')
        {
            return false;
        }

        long value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        if (value is < 1 or > int.MaxValue)
        {
            return false;
        }

        vdnId = (int)value;
        return true;
    }

    /// <summary>Why <paramref name="text"/> (not empty) is not a VDN number, in the terms of the usual mistake.</summary>
    public static string Explain(string text)
    {
        var shown = text.Length <= 24 ? text : text[..24] + "...";
        var trimmed = text.Trim(' ');
        if (trimmed.Length == 0)
        {
            return $"vdnId '{shown}' is only spaces (a '+' in a query is a space)";
        }

        var sign = trimmed[0] is '+' or '-' ? trimmed[0] : (char?)null;
        var digits = sign is null ? trimmed : trimmed[1..];
        if (digits.Length == 0 || digits.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return $"vdnId '{shown}' is not a whole number from 1 to {int.MaxValue}";
        }

        var significant = digits.TrimStart('0');
        if (significant.Length == 0 || sign == '-')
        {
            return $"vdnId '{shown}' is {(significant.Length == 0 ? "zero" : "negative")}: VDNs are numbered from 1";
        }

        if (!TryParse(significant, out _))
        {
            return $"vdnId '{shown}' is over {int.MaxValue}, the largest VDN number";
        }

        List<string> slips = [];
        if (trimmed.Length != text.Length)
        {
            slips.Add("a space around the number (a '+' in a query is a space)");
        }

        if (sign == '+')
        {
            slips.Add("a sign");
        }

        if (significant.Length != digits.Length)
        {
            slips.Add("a leading zero");
        }

        return $"vdnId '{shown}' has {string.Join(" and ", slips)}: send {significant}";
    }
}
