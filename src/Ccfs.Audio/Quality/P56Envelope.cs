using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ccfs.Audio.Quality;

/// <summary>
/// The envelope of P.56 method B: the rectified signal through two one-pole smoothers in cascade,
/// <c>p[n] = g·p[n−1] + (1−g)·|x[n]|</c> and <c>q[n] = g·q[n−1] + (1−g)·p[n]</c>. Computed one sample after another,
/// every sample waits for the previous one's multiply-add (some 4 cycles), 6 ms for a 5 MiB prompt. Written out for
/// eight samples at once, the recurrence becomes a lower-triangular matrix times the eight inputs plus the state
/// carried in, so the eight envelope values come out together and only the state waits on the block before.
/// Single precision: the envelope is only ever compared with thresholds a factor of two apart.
/// </summary>
internal struct P56Envelope
{
    public const int BlockLength = 8;

    // With the state p, q before a block and its inputs x[m], lane i of the block holds
    //   p[i] = g^(i+1)·p + Σ(m≤i) b·g^(i−m)·x[m]
    //   q[i] = g^(i+1)·q + b·(i+1)·g^(i+1)·p + Σ(m≤i) b²·(i−m+1)·g^(i−m)·x[m],   b = 1 − g.
    private static readonly double G = P56.Smoothing;
    private static readonly double B = 1 - P56.Smoothing;
    private static readonly Vector256<float>[] InputToP = Matrix((i, m) => B * Math.Pow(G, i - m));
    private static readonly Vector256<float>[] InputToQ = Matrix((i, m) => B * B * (i - m + 1) * Math.Pow(G, i - m));
    private static readonly Vector256<float> Decay = Lanes(i => Math.Pow(G, i + 1));
    private static readonly Vector256<float> Carry = Lanes(i => B * (i + 1) * Math.Pow(G, i + 1));

    private readonly bool _vectorized;
    private Vector256<float> _p; // p after the last block, in every lane
    private Vector256<float> _q; // q likewise

    /// <param name="vectorized">
    /// False computes the same recurrence one sample at a time, for hardware without 256-bit vectors (Vector256 in
    /// software is far slower than plain arithmetic).
    /// </param>
    public P56Envelope(bool vectorized)
    {
        _vectorized = vectorized;
    }

    /// <summary>The envelope of the block the last scan stopped at.</summary>
    public Vector256<float> LastBlock { get; private set; }

    /// <summary>
    /// Advances block by block from <paramref name="start"/> and stops after the first block in which the envelope is
    /// below <paramref name="low"/> or at or above <paramref name="high"/>, returning that block's start (its values
    /// are <see cref="LastBlock"/>), or the end of <paramref name="magnitudes"/>, whose length is a whole number of
    /// blocks.
    /// </summary>
    public int ScanWhileInside(ReadOnlySpan<float> magnitudes, int start, float low, float high) =>
        _vectorized ? ScanVectors(magnitudes, start, low, high) : ScanSamples(magnitudes, start, low, high);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ScanVectors(ReadOnlySpan<float> magnitudes, int start, float low, float high)
    {
        // Locals, so the coefficients stay in registers for the whole scan.
        ReadOnlySpan<Vector256<float>> toP = InputToP;
        ReadOnlySpan<Vector256<float>> toQ = InputToQ;
        var (p0, p1, p2, p3, p4, p5, p6, p7) = (toP[0], toP[1], toP[2], toP[3], toP[4], toP[5], toP[6], toP[7]);
        var (q0, q1, q2, q3, q4, q5, q6, q7) = (toQ[0], toQ[1], toQ[2], toQ[3], toQ[4], toQ[5], toQ[6], toQ[7]);
        var (decay, carry) = (Decay, Carry);
        var lastLane = Vector256.Create(BlockLength - 1);
        var lows = Vector256.Create(low);
        var highs = Vector256.Create(high);
        var p = _p;
        var q = _q;
        var at = start;
        for (; at < magnitudes.Length; at += BlockLength)
        {
            var x = magnitudes.Slice(at, BlockLength);
            var x0 = Vector256.Create(x[0]);
            var x1 = Vector256.Create(x[1]);
            var x2 = Vector256.Create(x[2]);
            var x3 = Vector256.Create(x[3]);
            var x4 = Vector256.Create(x[4]);
            var x5 = Vector256.Create(x[5]);
            var x6 = Vector256.Create(x[6]);
            var x7 = Vector256.Create(x[7]);
            var fromInputP = Vector256.FusedMultiplyAdd(x3, p3, Vector256.FusedMultiplyAdd(x2, p2, Vector256.FusedMultiplyAdd(x1, p1, x0 * p0)))
                + Vector256.FusedMultiplyAdd(x7, p7, Vector256.FusedMultiplyAdd(x6, p6, Vector256.FusedMultiplyAdd(x5, p5, x4 * p4)));
            var fromInputQ = Vector256.FusedMultiplyAdd(x3, q3, Vector256.FusedMultiplyAdd(x2, q2, Vector256.FusedMultiplyAdd(x1, q1, x0 * q0)))
                + Vector256.FusedMultiplyAdd(x7, q7, Vector256.FusedMultiplyAdd(x6, q6, Vector256.FusedMultiplyAdd(x5, q5, x4 * q4)));
            var blockP = Vector256.FusedMultiplyAdd(decay, p, fromInputP);
            var blockQ = Vector256.FusedMultiplyAdd(decay, q, Vector256.FusedMultiplyAdd(carry, p, fromInputQ));
            p = Vector256.Shuffle(blockP, lastLane);
            q = Vector256.Shuffle(blockQ, lastLane);
            if (Vector256.LessThanAny(blockQ, lows) || Vector256.GreaterThanOrEqualAny(blockQ, highs))
            {
                LastBlock = blockQ;
                break;
            }
        }

        _p = p;
        _q = q;
        return at;
    }

    private int ScanSamples(ReadOnlySpan<float> magnitudes, int start, float low, float high)
    {
        // Double precision here: one sample at a time, single precision would lose what 240 steps of rounding add up to.
        double p = _p.ToScalar();
        double q = _q.ToScalar();
        Span<float> block = stackalloc float[BlockLength];
        var at = start;
        for (; at < magnitudes.Length; at += BlockLength)
        {
            var outside = false;
            for (var i = 0; i < BlockLength; i++)
            {
                p = (G * p) + (B * magnitudes[at + i]);
                q = (G * q) + (B * p);
                block[i] = (float)q;
                outside |= block[i] < low || block[i] >= high;
            }

            if (outside)
            {
                LastBlock = Vector256.Create<float>(block);
                break;
            }
        }

        _p = Vector256.Create((float)p);
        _q = Vector256.Create((float)q);
        return at;
    }

    /// <summary>Lane i of column m is <paramref name="entry"/>(i, m) where i ≥ m, else 0: a lower-triangular matrix.</summary>
    private static Vector256<float>[] Matrix(Func<int, int, double> entry) =>
        [.. Enumerable.Range(0, BlockLength).Select(m => Lanes(i => i >= m ? entry(i, m) : 0))];

    private static Vector256<float> Lanes(Func<int, double> lane)
    {
        Span<float> lanes = stackalloc float[BlockLength];
        for (var i = 0; i < BlockLength; i++)
        {
            lanes[i] = (float)lane(i);
        }

        return Vector256.Create<float>(lanes);
    }
}
