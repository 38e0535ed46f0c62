namespace Ccfs.Audio.Quality;

/// <summary>
/// An 8-bit encoding as the analysis reads it, one entry per code: the magnitude of the 16-bit sample it decodes to,
/// and that sample and its square packed in one 64-bit word (<c>x·2^40 + x²</c>), so that one addition per sample keeps
/// both sums of a 10 ms frame (its squares stay below 2^37). Built once per encoding from the G.711 tables.
/// </summary>
internal sealed class SampleCodes
{
    private const int SumShift = 40;
    private const long SquaresMask = (1L << SumShift) - 1;

    private SampleCodes(Func<byte, short> decode)
    {
        for (var code = 0; code < 256; code++)
        {
            var sample = decode((byte)code);
            Magnitudes[code] = Math.Abs((int)sample);
            Sums[code] = ((long)sample << SumShift) + (sample * sample);
            if (sample < decode(LowestCode))
            {
                LowestCode = (byte)code;
            }

            if (sample > decode(HighestCode))
            {
                HighestCode = (byte)code;
            }
        }
    }

    public static SampleCodes ALaw { get; } = new(G711.ALawDecode);

    public static SampleCodes MuLaw { get; } = new(G711.MuLawDecode);

    public static SampleCodes Pcm8 { get; } = new(code => (short)((code - 128) << 8));

    /// <summary>The magnitude of the sample each code decodes to. 256 entries, which <see cref="PromptMeter"/> relies on.</summary>
    public float[] Magnitudes { get; } = new float[256];

    /// <summary>Each code's packed sample and square. 256 entries, which <see cref="PromptMeter"/> relies on.</summary>
    public long[] Sums { get; } = new long[256];

    /// <summary>The code of the most negative sample the encoding holds: a run of it is clipping.</summary>
    public byte LowestCode { get; }

    /// <summary>The code of the most positive sample.</summary>
    public byte HighestCode { get; }

    public static SampleCodes For(WaveEncodings encoding) => encoding switch
    {
        WaveEncodings.ALaw => ALaw,
        WaveEncodings.MuLaw => MuLaw,
        WaveEncodings.Pcm8 => Pcm8,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "one 8-bit encoding is required"),
    };

    /// <summary>The sum of the samples behind a sum of packed words.</summary>
    public static long SampleSum(long packed) => packed >> SumShift;

    /// <summary>The sum of the squares behind a sum of packed words.</summary>
    public static long SquareSum(long packed) => packed & SquaresMask;
}
