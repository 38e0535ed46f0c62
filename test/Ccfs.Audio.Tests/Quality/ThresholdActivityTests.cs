using Ccfs.Audio.Quality;
using CsCheck;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>The lazy activity count equals P.56's per-threshold, per-sample count with its hangover counters.</summary>
public sealed class ThresholdActivityTests
{
    /// <summary>
    /// Envelopes that wander over the thresholds: runs of values that hold, creep, leap across several thresholds at
    /// once, sit exactly on a threshold, or fall to zero, each run long or short next to the 1600-sample hangover.
    /// </summary>
    private static readonly Gen<double[]> Envelopes = Gen.Select(
            Gen.OneOf(Gen.Double[0, 20000], Gen.Int[0, 14].Select(j => Math.ScaleB(1.0, j)), Gen.Const(0.0), Gen.Double[0, 2]),
            Gen.OneOf(Gen.Int[1, 40], Gen.Int[1, 4000]),
            Gen.Double[0.9, 1.1],
            (level, length, creep) => Enumerable.Range(0, length).Select(i => level * Math.Pow(creep, i / 100.0)).ToArray())
        .Array[1, 12]
        // In single precision, as the analysis keeps its envelope: both counts then compare the very same values.
        .Select(runs => runs.SelectMany(r => r).Select(x => (double)(float)x).ToArray());

    [Fact]
    public void The_lazy_count_equals_the_count_at_every_threshold_and_sample()
    {
        Envelopes.Sample(envelope =>
        {
            var (active, first, lastActive) = NaiveSpeechVoltmeter.Activity(envelope);

            var lazy = new ThresholdActivity();
            for (var n = 0; n < envelope.Length; n++)
            {
                var reached = P56.ThresholdsReached((float)envelope[n]);
                if (reached != lazy.Reached)
                {
                    lazy.Change(n, reached);
                }
            }

            lazy.End(envelope.Length);
            for (var j = 0; j < P56.ThresholdCount; j++)
            {
                Assert.Equal(active[j], lazy.Active(j));
                Assert.Equal(first[j], lazy.FirstReached(j));
                Assert.Equal(lastActive[j], lazy.LastActive(j));
            }
        }, iter: 2000);
    }

    [Theory]
    [InlineData(0.999f, 0)]
    [InlineData(1f, 1)]
    [InlineData(1.999f, 1)]
    [InlineData(2f, 2)]
    [InlineData(16383.9f, 14)]
    [InlineData(16384f, 15)]
    [InlineData(32768f, 15)]
    public void The_thresholds_reached_are_the_bit_length_of_the_envelope(float envelope, int reached)
    {
        Assert.Equal(reached, P56.ThresholdsReached(envelope));
    }
}
