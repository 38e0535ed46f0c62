namespace Ccfs.Audio.Quality;

/// <summary>
/// P.56's active speech level: the power of the signal over the samples counted active at a threshold, found at the
/// threshold that lies <see cref="P56.MarginDb"/> below it. This follows STL's <c>speech_voltmeter</c>, including its
/// answer that there is no active speech (the lowest threshold already closer than the margin, or no threshold
/// reached far enough below the level) and its way of finding the level between two thresholds, so the two agree.
/// </summary>
internal static class ActiveSpeechLevel
{
    /// <summary>STL's interpolation stops once the margin is met within this many dB.</summary>
    private const double InterpolationToleranceDb = 0.5;

    /// <summary>The level in dBov, and the index of the threshold just above it; null when P.56 finds no active speech.</summary>
    /// <param name="sumOfSquares">Σx² over the signal, x in 16-bit units.</param>
    /// <param name="active">Active samples at each of the 15 thresholds.</param>
    public static (double LevelDbov, int Threshold)? Find(double sumOfSquares, ReadOnlySpan<long> active)
    {
        if (active[0] == 0)
        {
            return null;
        }

        var lower = PowerDbov(sumOfSquares, active[0]);
        if (lower - P56.ThresholdDbov(0) < P56.MarginDb)
        {
            return null;
        }

        for (var j = 1; j < P56.ThresholdCount && active[j] > 0; j++)
        {
            var upper = PowerDbov(sumOfSquares, active[j]);
            if (upper - P56.ThresholdDbov(j) <= P56.MarginDb)
            {
                return (Interpolate(upper, lower, P56.ThresholdDbov(j), P56.ThresholdDbov(j - 1)), j);
            }

            lower = upper;
        }

        return null;
    }

    /// <summary>Mean power over <paramref name="samples"/> samples, in dBov.</summary>
    public static double PowerDbov(double sumOfSquares, long samples) =>
        10 * Math.Log10(sumOfSquares / samples / (P56.FullScale * P56.FullScale));

    /// <summary>
    /// STL's <c>bin_interp</c>, in its 2005 form: halves the interval between the two thresholds, together with the
    /// levels measured at them, until level minus threshold is within the tolerance of the margin, and relaxes the
    /// tolerance by 10 % per step after 20. A step towards the upper end also moves the lower end to the new middle,
    /// so a step back down may not move at all and only the relaxed tolerance ends it: the answer can lie up to about a
    /// decibel from where the level's line crosses the margin. Reproduced as it is, since a level that is to agree with
    /// the reference tool must be found the way the tool finds it.
    /// </summary>
    internal static double Interpolate(double upperLevel, double lowerLevel, double upperThreshold, double lowerThreshold)
    {
        var tolerance = InterpolationToleranceDb;
        if (Math.Abs(upperLevel - upperThreshold - P56.MarginDb) < tolerance)
        {
            return upperLevel;
        }

        if (Math.Abs(lowerLevel - lowerThreshold - P56.MarginDb) < tolerance)
        {
            return lowerLevel;
        }

        var level = (upperLevel + lowerLevel) / 2;
        var threshold = (upperThreshold + lowerThreshold) / 2;
        for (var step = 1; Math.Abs(level - threshold - P56.MarginDb) > tolerance;)
        {
            var excess = level - threshold - P56.MarginDb;
            if (++step > 20)
            {
                tolerance *= 1.1;
            }

            if (excess > tolerance)
            {
                level = (upperLevel + level) / 2;
                threshold = (upperThreshold + threshold) / 2;
                lowerLevel = level;
                lowerThreshold = threshold;
            }
            else if (excess < -tolerance)
            {
                level = (level + lowerLevel) / 2;
                threshold = (threshold + lowerThreshold) / 2;
                upperLevel = level;
                upperThreshold = threshold;
            }
        }

        return level;
    }
}
