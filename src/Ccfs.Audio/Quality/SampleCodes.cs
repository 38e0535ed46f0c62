using System.Runtime.Intrinsics;

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

    private readonly byte _rankMask;

    /// <param name="decode">The encoding's decoder.</param>
    /// <param name="rankMask">
    /// For G.711, the code XOR this, less its sign bit, orders the codes by magnitude; 0 for 8-bit PCM, where the
    /// magnitude is the distance from 128.
    /// </param>
    private SampleCodes(Func<byte, short> decode, byte rankMask)
    {
        _rankMask = rankMask;
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

    public static SampleCodes ALaw { get; } = new(G711.ALawDecode, rankMask: 0x55);

    public static SampleCodes MuLaw { get; } = new(G711.MuLawDecode, rankMask: 0xFF);

    public static SampleCodes Pcm8 { get; } = new(code => (short)((code - 128) << 8), rankMask: 0);

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

    /// <summary>The largest magnitude among the codes, found by ranking the codes 32 at a time rather than decoding them.</summary>
    public float PeakMagnitude(ReadOnlySpan<byte> codes)
    {
        var whole = codes.Length - (codes.Length % Vector256<byte>.Count);
        var ranks = _rankMask == 0 ? PeakRanks<DistanceFrom128>(codes[..whole], 0) : PeakRanks<Masked>(codes[..whole], _rankMask);
        var rank = 0;
        for (var lane = 0; lane < Vector256<byte>.Count; lane++)
        {
            rank = Math.Max(rank, ranks[lane]);
        }

        foreach (var code in codes[whole..])
        {
            rank = Math.Max(rank, _rankMask == 0 ? Math.Abs(code - 128) : (code ^ _rankMask) & 0x7F);
        }

        return _rankMask == 0 ? rank * 256 : Magnitudes[rank ^ _rankMask];
    }

    private static Vector256<byte> PeakRanks<TRank>(ReadOnlySpan<byte> codes, byte mask)
        where TRank : IRank
    {
        var ranks = Vector256<byte>.Zero;
        var masks = Vector256.Create(mask);
        for (var i = 0; i < codes.Length; i += Vector256<byte>.Count)
        {
            ranks = Vector256.Max(ranks, TRank.Of(Vector256.Create(codes.Slice(i, Vector256<byte>.Count)), masks));
        }

        return ranks;
    }

    /// <summary>A code's rank by magnitude: the larger the sample's magnitude, the larger the rank.</summary>
    private interface IRank
    {
        static abstract Vector256<byte> Of(Vector256<byte> codes, Vector256<byte> mask);
    }

    /// <summary>G.711: the code XOR the encoding's mask, less its sign bit, is segment and step, in order of magnitude.</summary>
    private readonly struct Masked : IRank
    {
        public static Vector256<byte> Of(Vector256<byte> codes, Vector256<byte> mask) => (codes ^ mask) & Vector256.Create((byte)0x7F);
    }

    /// <summary>8-bit PCM: the distance from 128 (for code 0, 128).</summary>
    private readonly struct DistanceFrom128 : IRank
    {
        public static Vector256<byte> Of(Vector256<byte> codes, Vector256<byte> mask) =>
            Vector256.Abs((codes ^ Vector256.Create((byte)0x80)).AsSByte()).AsByte();
    }

    /// <summary>The sum of the samples behind a sum of packed words.</summary>
    public static long SampleSum(long packed) => packed >> SumShift;

    /// <summary>The sum of the squares behind a sum of packed words.</summary>
    public static long SquareSum(long packed) => packed & SquaresMask;
}
