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
        Gen.Select(Gen.OneOf(Gen.Byte.Array[0, 600], Base64Text), Gen.Int[3, 400]).Sample((input, chunk) =>
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

    [Fact]
    public void A_large_base64_body_encodes_like_the_reference()
    {
        var random = new byte[300_000];
        new Random(7).NextBytes(random);
        byte[] body = [.. "{\"data\":\""u8, .. Encoding.ASCII.GetBytes(Convert.ToBase64String(random)), .. "\"}"u8];
        var encoded = new byte[body.Length * 3];

        PercentEncoding.Encode(body, encoded, out var consumed, out var written);

        Assert.Equal(body.Length, consumed);
        Assert.Equal(Reference(body), Encoding.ASCII.GetString(encoded, 0, written));
    }

    /// <summary>Mostly unreserved bytes with the odd '+', '/' or '=', like the Base64 of an upload.</summary>
    private static readonly Gen<byte[]> Base64Text =
        Gen.Byte.Array[0, 2000].Select(bytes => Encoding.ASCII.GetBytes(Convert.ToBase64String(bytes)));

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
