using System.Buffers;
using System.Globalization;

namespace Ccfs.Protocol;

/// <summary>
/// Text from callers (a file name, a receiver's answer, a reason) made safe to print on a terminal or in a text log: a
/// line ending becomes a space, so each entry stays one line, and every other control character (C0 but tab, DEL, C1),
/// line and paragraph separator and bidirectional control is written as <c>\uXXXX</c>. Unescaped, an escape sequence
/// could rewrite an operator's screen (erase a line, fake one, retitle the window) and a bidi override reverse it.
/// </summary>
public static class TerminalText
{
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c != '\t').Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c),
         '\u061C', '\u200E', '\u200F', '\u2028', '\u2029', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069']);

    /// <summary>Whether <paramref name="text"/> holds a character <see cref="Escape"/> would change.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<char> text) => text.ContainsAny(Unsafe);

    public static string Escape(string text)
    {
        if (!NeedsEscaping(text))
        {
            return text;
        }

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, text);
        return writer.ToString();
    }

    public static void Write(TextWriter writer, ReadOnlySpan<char> text)
    {
        while (true)
        {
            var next = text.IndexOfAny(Unsafe);
            if (next < 0)
            {
                writer.Write(text);
                return;
            }

            writer.Write(text[..next]);
            var c = text[next];
            if (c is '\r' or '\n')
            {
                writer.Write(' ');
                next += c == '\r' && next + 1 < text.Length && text[next + 1] == '\n' ? 1 : 0;
            }
            else
            {
                writer.Write("\\u");
                writer.Write(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }

            text = text[(next + 1)..];
        }
    }
}
