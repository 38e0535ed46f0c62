namespace Ccfs.Protocol.Auth;

internal static class Hex
{
    private static ReadOnlySpan<byte> LowerDigits => "0123456789abcdef"u8;

    public static void WriteLower(ReadOnlySpan<byte> bytes, Span<byte> ascii)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            ascii[2 * i] = LowerDigits[bytes[i] >> 4];
            ascii[2 * i + 1] = LowerDigits[bytes[i] & 0xF];
        }
    }

    /// <summary>Copies hex text to lower-case ASCII; false if it holds anything but hex digits.</summary>
    public static bool TryToLowerAscii(ReadOnlySpan<char> text, Span<byte> ascii)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '0' and <= '9' or >= 'a' and <= 'f')
            {
                ascii[i] = (byte)c;
            }
            else if (c is >= 'A' and <= 'F')
            {
                ascii[i] = (byte)(c + ('a' - 'A'));
            }
            else
            {
                return false;
            }
        }

        return true;
    }
}
