using Ccfs.Audio.Quality;
using CsCheck;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>The level search and its interpolation are STL's, including where they land away from the exact crossing.</summary>
public sealed class ActiveSpeechLevelTests
{
    [Fact]
    public void The_interpolation_takes_the_same_steps_as_stls_bin_interp()
    {
        // Levels at two adjacent thresholds, the lower one above the margin and the upper one not, as the search finds them.
        Gen.Select(Gen.Int[1, 14], Gen.Double[-2, 0], Gen.Double[0, 6], Gen.Double[0, 3]).Sample((j, upperMiss, lowerExcess, spread) =>
        {
            var (upperThreshold, lowerThreshold) = (P56.ThresholdDbov(j), P56.ThresholdDbov(j - 1));
            var upperLevel = upperThreshold + P56.MarginDb + upperMiss;
            var lowerLevel = Math.Min(upperLevel - spread, lowerThreshold + P56.MarginDb + lowerExcess);

            Assert.Equal(NaiveSpeechVoltmeter.BinaryInterpolation(upperLevel, lowerLevel, upperThreshold, lowerThreshold),
                ActiveSpeechLevel.Interpolate(upperLevel, lowerLevel, upperThreshold, lowerThreshold));
        });
    }

    [Fact]
    public void A_first_middle_within_half_a_decibel_is_the_answer()
    {
        Assert.Equal(-29.25, ActiveSpeechLevel.Interpolate(-29.0, -29.5, P56.ThresholdDbov(8), P56.ThresholdDbov(7)), 1e-12);
    }

    [Fact]
    public void A_step_back_down_sticks_until_the_relaxed_tolerance_ends_it()
    {
        // The first step goes up and moves the lower end to the new middle; each step after goes down, back onto that
        // same middle, until after 20 steps the tolerance has grown past the miss. The answer stays at -28.25 dB, a
        // quarter of a decibel from where the line between the two thresholds crosses the margin (-28.50).
        var (upper, lower) = (P56.ThresholdDbov(8), P56.ThresholdDbov(7));

        var level = ActiveSpeechLevel.Interpolate(-27.75, -29.75, upper, lower);

        Assert.Equal(-28.25, level, 1e-12);
        Assert.Equal(-28.499, Crossing(-27.75, -29.75, upper, lower), 1e-3);
    }

    [Fact]
    public void Without_a_threshold_far_enough_below_there_is_no_level()
    {
        // Every sample active at every threshold up to 2^5, and power far above all of them: no crossing.
        Span<long> active = [1000, 1000, 1000, 1000, 1000, 1000, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        Assert.Null(ActiveSpeechLevel.Find(1000 * 10000.0 * 10000.0, active));
        Assert.Null(ActiveSpeechLevel.Find(0, new long[15]));
    }

    /// <summary>Where the straight line between the two (threshold, level − threshold) points meets the margin.</summary>
    private static double Crossing(double upperLevel, double lowerLevel, double upperThreshold, double lowerThreshold)
    {
        var (du, dl) = (upperLevel - upperThreshold - P56.MarginDb, lowerLevel - lowerThreshold - P56.MarginDb);
        var t = dl / (dl - du);
        return lowerLevel + (t * (upperLevel - lowerLevel));
    }
}
