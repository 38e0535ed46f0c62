namespace Ccfs.Audio;

/// <summary>
/// ITU-T G.711 A-law and mu-law, between 8-bit codes and 16-bit linear samples, as the reference implementation
/// (Sun's g711.c) computes them. Decoding uses 256-entry tables; encoding uses tables over the 16-bit range.
/// </summary>
public static class G711
{
    private static readonly short[] ALawToLinear = BuildDecodeTable(DecodeALaw);
    private static readonly short[] MuLawToLinear = BuildDecodeTable(DecodeMuLaw);
    private static readonly Lazy<byte[]> LinearToALaw = new(() => BuildEncodeTable(EncodeALaw));
    private static readonly Lazy<byte[]> LinearToMuLaw = new(() => BuildEncodeTable(EncodeMuLaw));

    public static short ALawDecode(byte code) => ALawToLinear[code];

    public static short MuLawDecode(byte code) => MuLawToLinear[code];

    public static byte ALawEncode(short sample) => LinearToALaw.Value[(ushort)sample];

    public static byte MuLawEncode(short sample) => LinearToMuLaw.Value[(ushort)sample];

    /// <summary>Encodes samples in [-1, 1] (clipped beyond) to A-law.</summary>
    public static void ALawEncode(ReadOnlySpan<float> samples, Span<byte> codes)
    {
        var table = LinearToALaw.Value;
        for (var i = 0; i < samples.Length; i++)
        {
            codes[i] = table[(ushort)ToInt16(samples[i])];
        }
    }

    /// <summary>Rounds a sample in [-1, 1] to 16 bits, clipping what lies outside.</summary>
    public static short ToInt16(float sample)
    {
        var scaled = MathF.Round(sample * 32768f);
        return scaled >= short.MaxValue ? short.MaxValue : scaled <= short.MinValue ? short.MinValue : (short)scaled;
    }

    private static short DecodeALaw(byte code)
    {
        code ^= 0x55;
        var t = (code & 0x0F) << 4;
        var segment = (code & 0x70) >> 4;
        t = segment switch
        {
            0 => t + 8,
            1 => t + 0x108,
            _ => (t + 0x108) << (segment - 1),
        };
        return (short)((code & 0x80) != 0 ? t : -t);
    }

    private static short DecodeMuLaw(byte code)
    {
        const int bias = 0x84;
        code = (byte)~code;
        var t = (((code & 0x0F) << 3) + bias) << ((code & 0x70) >> 4);
        return (short)((code & 0x80) != 0 ? bias - t : t - bias);
    }

    private static byte EncodeALaw(short sample)
    {
        int pcm = sample >> 3;
        int mask;
        if (pcm >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            pcm = -pcm - 1;
        }

        var segment = Segment(pcm, 0x1F);
        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        var value = (segment << 4) | ((segment < 2 ? pcm >> 1 : pcm >> segment) & 0x0F);
        return (byte)(value ^ mask);
    }

    private static byte EncodeMuLaw(short sample)
    {
        const int bias = 0x84;
        const int clip = 8159;
        int pcm = sample >> 2;
        int mask;
        if (pcm < 0)
        {
            pcm = -pcm;
            mask = 0x7F;
        }
        else
        {
            mask = 0xFF;
        }

        pcm = Math.Min(pcm, clip) + (bias >> 2);
        var segment = Segment(pcm, 0x3F);
        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        var value = (segment << 4) | ((pcm >> (segment + 1)) & 0x0F);
        return (byte)(value ^ mask);
    }

    /// <summary>The segment: how many times the first segment's end must double before it holds the value.</summary>
    private static int Segment(int value, int firstEnd)
    {
        var segment = 0;
        for (var end = firstEnd; segment < 8 && value > end; end = (end << 1) | 1)
        {
            segment++;
        }

        return segment;
    }

    private static short[] BuildDecodeTable(Func<byte, short> decode)
    {
        var table = new short[256];
        for (var code = 0; code < 256; code++)
        {
            table[code] = decode((byte)code);
        }

        return table;
    }

    private static byte[] BuildEncodeTable(Func<short, byte> encode)
    {
        var table = new byte[65536];
        for (var i = 0; i < 65536; i++)
        {
            table[i] = encode((short)(ushort)i);
        }

        return table;
    }
}
