using System.Text;
using Ccfs.Protocol.Auth;
using CsCheck;

namespace Ccfs.Protocol.Tests;

public sealed class PercentEncodingTests
{
    [Theory]
    [InlineData("AZaz09-._~", "AZaz09-._~")]
    [InlineData(" ", "%20")]
    [InlineData("/:;=+,\"{}*", "%2F%3A%3B%3D%2B%2C%22%7B%7D%2A")]
    [InlineData("ä", "%C3%A4")]
    [InlineData("10.22.26.181:28080", "10.22.26.181%3A28080")]
    public void Encodes_like_the_java_demo(string input, string expected)
    {
        Assert.Equal(expected, PercentEncoding.Encode(input));
    }

    [Fact]
    public void Chunked_encoding_into_any_buffer_size_equals_a_byte_by_byte_reference()
    {
        Gen.Select(Gen.Byte.Array[0, 600], Gen.Int[3, 64]).Sample((input, chunk) =>
        {
            var output = new List<byte>();
            var buffer = new byte[chunk];
            var rest = input.AsSpan();
            while (!rest.IsEmpty)
            {
                PercentEncoding.Encode(rest, buffer, out var consumed, out var written);
                Assert.True(consumed > 0);
                output.AddRange(buffer.AsSpan(0, written));
                rest = rest[consumed..];
            }

            Assert.Equal(Reference(input), Encoding.ASCII.GetString([.. output]));
        });
    }

    private static string Reference(byte[] input)
    {
        var sb = new StringBuilder();
        foreach (var b in input)
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
