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
        var trimmed = text.Trim();
        var digits = trimmed.TrimStart('+', '-');
        if (digits.Length > 0 && !digits.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            if (trimmed.Length != text.Length)
            {
                return $"vdnId '{shown}' has a space around the number (a '+' in a query is a space): send {trimmed}";
            }

            if (digits.Length != trimmed.Length)
            {
                return trimmed[0] == '-' ? $"vdnId '{shown}' is negative: VDNs are numbered from 1" : $"vdnId '{shown}' has a sign: send {digits}";
            }

            if (digits.TrimStart('0') is var significant && significant.Length == 0)
            {
                return $"vdnId {shown} is not a VDN: VDNs are numbered from 1";
            }

            return significant.Length < digits.Length && TryParse(significant, out _)
                ? $"vdnId '{shown}' has a leading zero: send {significant}"
                : $"vdnId {shown} is over {int.MaxValue}, the largest VDN number";
        }

        return $"vdnId '{shown}' is not a whole number from 1 to {int.MaxValue}";
    }
}
