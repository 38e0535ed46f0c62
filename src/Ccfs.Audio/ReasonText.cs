using System.Runtime.CompilerServices;

namespace Ccfs.Audio;

/// <summary>
/// Formats a refusal's text (<c>ReasonText.Of($"…")</c>) in a buffer on the caller's stack, in the invariant culture.
/// A plain interpolated string rents its buffer from the shared <see cref="System.Buffers.ArrayPool{T}"/>, and whether
/// the pool has one to lend depends on what every other thread took from it; this way a refusal allocates its text and
/// nothing else, every time, so the allocation bound of the validator is a fact a test can hold.
/// </summary>
internal static class ReasonText
{
    /// <summary>Longer than any refusal text here; a longer one is cut off, never formatted elsewhere.</summary>
    public const int Capacity = 256;

    public static string Of(ref Builder text) => text.ToString();

    [InterpolatedStringHandler]
    public ref struct Builder
    {
        private Buffer _chars;
        private int _length;

        /// <summary>The compiler passes the lengths of the parts; the buffer has a fixed size whatever they are.</summary>
        public Builder(int literalLength, int formattedCount)
        {
        }

        public void AppendLiteral(string value) => AppendFormatted(value);

        public void AppendFormatted(string? value)
        {
            Span<char> free = _chars[_length..];
            var count = Math.Min(value?.Length ?? 0, free.Length);
            value.AsSpan(0, count).CopyTo(free);
            _length += count;
        }

        public void AppendFormatted<T>(T value, string? format = null)
            where T : ISpanFormattable
        {
            if (value.TryFormat(_chars[_length..], out var written, format, System.Globalization.CultureInfo.InvariantCulture))
            {
                _length += written;
            }
        }

        public override readonly string ToString() => new(((ReadOnlySpan<char>)_chars)[.._length]);

        [InlineArray(Capacity)]
        private struct Buffer
        {
            private char _first;
        }
    }
}
