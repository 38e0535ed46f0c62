using System.Runtime.Intrinsics;
using Ccfs.Audio.Quality;
using CsCheck;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>The envelope computed eight samples at a time is P.56's recurrence computed one sample at a time.</summary>
public sealed class P56EnvelopeTests
{
    private static readonly Gen<float[]> Magnitudes = Gen.Select(
            Gen.OneOf(Gen.Float[0, 32768], Gen.Float[0, 100], Gen.Const(0f), Gen.Const(8f)),
            Gen.Int[1, 3000],
            Gen.Bool,
            (level, length, noisy) => Enumerable.Range(0, length).Select(i => noisy ? level * ((i * 7919 % 101) / 100f) : level).ToArray())
        .Array[1, 8]
        .Select(runs => runs.SelectMany(r => r).ToArray());

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_block_holds_the_recurrence_of_its_eight_samples(bool vectorized)
    {
        Magnitudes.Sample(magnitudes =>
        {
            var padded = magnitudes.Concat(new float[(8 - (magnitudes.Length % 8)) % 8]).ToArray();
            var expected = NaiveSpeechVoltmeter.Envelope([.. padded.Select(x => (double)x)]);

            var traced = Trace(padded, vectorized);

            var scale = Math.Max(1, expected.Max());
            for (var n = 0; n < padded.Length; n++)
            {
                // Single precision, with its rounding carried from block to block: a few millionths of the largest value.
                Assert.True(Math.Abs(traced[n] - expected[n]) <= 5e-6 * scale, $"sample {n}: {traced[n]} against {expected[n]}");
            }
        }, iter: 300);
    }

    [Fact]
    public void A_scan_stops_at_the_first_block_that_leaves_the_band()
    {
        // Silence, then a loud tone: the envelope leaves [0, 1) in the tone's first block, starting at sample 800.
        var magnitudes = new float[800].Concat(Enumerable.Repeat(10000f, 800)).ToArray();
        var envelope = new P56Envelope(vectorized: true);

        var stop = envelope.ScanWhileInside(magnitudes, 0, float.NegativeInfinity, 1);

        Assert.Equal(800, stop);
        Assert.True(envelope.LastBlock[0] < 1 && envelope.LastBlock[7] >= 1);
        Assert.Equal(magnitudes.Length, envelope.ScanWhileInside(magnitudes, stop + 8, float.NegativeInfinity, float.PositiveInfinity));
    }

    /// <summary>Every block's envelope: a band nothing stays inside makes the scan stop at each block.</summary>
    internal static float[] Trace(float[] magnitudes, bool vectorized)
    {
        var envelope = new P56Envelope(vectorized);
        var traced = new float[magnitudes.Length];
        for (var at = 0; (at = envelope.ScanWhileInside(magnitudes, at, float.PositiveInfinity, float.PositiveInfinity)) < magnitudes.Length; at += 8)
        {
            envelope.LastBlock.CopyTo(traced, at);
        }

        return traced;
    }
}
