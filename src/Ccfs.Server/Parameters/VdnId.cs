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
}
