namespace Ccfs.Audio.Tests;

public sealed class G711Tests
{
    [Fact]
    public void Every_a_law_code_survives_decoding_and_encoding()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, G711.ALawEncode(G711.ALawDecode((byte)code)));
        }
    }

    [Fact]
    public void Every_mu_law_code_but_negative_zero_survives_decoding_and_encoding()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal(code == 0x7F ? (byte)0xFF : (byte)code, G711.MuLawEncode(G711.MuLawDecode((byte)code)));
        }
    }

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    public void A_law_reference_values(int code, short linear)
    {
        Assert.Equal(linear, G711.ALawDecode((byte)code));
    }

    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0x00, -32124)]
    public void Mu_law_reference_values(int code, short linear)
    {
        Assert.Equal(linear, G711.MuLawDecode((byte)code));
    }

    [Fact]
    public void Encoding_picks_the_nearest_step_and_is_monotonic()
    {
        var previous = short.MinValue;
        for (int sample = short.MinValue; sample <= short.MaxValue; sample += 7)
        {
            var decoded = G711.ALawDecode(G711.ALawEncode((short)sample));
            Assert.True(decoded >= previous, $"{sample} decodes to {decoded}, below {previous}");
            Assert.InRange(Math.Abs(decoded - sample), 0, Math.Max(16, Math.Abs(sample) / 16));
            previous = decoded;
        }
    }

    [Theory]
    [InlineData(2f, short.MaxValue)]
    [InlineData(-2f, short.MinValue)]
    [InlineData(0.5f, 16384)]
    [InlineData(0f, 0)]
    public void Floats_round_and_clip_to_16_bits(float sample, short expected)
    {
        Assert.Equal(expected, G711.ToInt16(sample));
    }
}
