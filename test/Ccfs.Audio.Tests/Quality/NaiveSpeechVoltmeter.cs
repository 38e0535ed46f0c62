namespace Ccfs.Audio.Tests.Quality;

/// <summary>
/// P.56 method B written the plain way, as the Recommendation and STL's <c>speech_voltmeter</c> state it: in double
/// precision, sample by sample, and at every sample each of the 15 thresholds with its own hangover counter. Slow, and
/// the reference the fast analysis is held to.
/// </summary>
internal static class NaiveSpeechVoltmeter
{
    public const int Hangover = 1600;

    /// <summary>Activity per threshold, the first sample each threshold is reached, and the last sample each counts.</summary>
    public static (long[] Active, long[] First, long[] LastActive) Activity(IReadOnlyList<double> envelope)
    {
        var active = new long[15];
        var first = Enumerable.Repeat(-1L, 15).ToArray();
        var last = Enumerable.Repeat(-1L, 15).ToArray();
        var hang = Enumerable.Repeat(Hangover, 15).ToArray();
        for (var n = 0; n < envelope.Count; n++)
        {
            for (var j = 0; j < 15; j++)
            {
                var threshold = Math.ScaleB(1.0, j);
                if (envelope[n] >= threshold)
                {
                    active[j]++;
                    hang[j] = 0;
                    last[j] = n;
                    if (first[j] < 0)
                    {
                        first[j] = n;
                    }
                }
                else if (hang[j] < Hangover)
                {
                    active[j]++;
                    hang[j]++;
                    last[j] = n;
                }
            }
        }

        return (active, first, last);
    }

    /// <summary>The envelope q[n] in 16-bit units, one sample after another.</summary>
    public static double[] Envelope(IReadOnlyList<double> samples)
    {
        var g = Math.Exp(-1.0 / (8000 * 0.03));
        double p = 0, q = 0;
        var envelope = new double[samples.Count];
        for (var n = 0; n < samples.Count; n++)
        {
            p = (g * p) + ((1 - g) * Math.Abs(samples[n]));
            q = (g * q) + ((1 - g) * p);
            envelope[n] = q;
        }

        return envelope;
    }

    /// <summary>The active level in dBov and the activity factor; null when there is no active speech.</summary>
    public static (double Level, double Activity)? Level(IReadOnlyList<double> samples) => Level(samples, Envelope(samples));

    /// <summary><see cref="Level(IReadOnlyList{double})"/> on an envelope computed elsewhere.</summary>
    public static (double Level, double Activity)? Level(IReadOnlyList<double> samples, IReadOnlyList<double> envelope)
    {
        var (active, _, _) = Activity(envelope);
        var sumOfSquares = samples.Sum(x => x * x) / (32768.0 * 32768.0);
        double A(int j) => 10 * Math.Log10(sumOfSquares / active[j]);
        double C(int j) => 20 * Math.Log10(Math.ScaleB(1.0, j - 15));
        if (active[0] == 0 || A(0) - C(0) < 15.9)
        {
            return null;
        }

        for (var j = 1; j < 15; j++)
        {
            if (active[j] != 0 && A(j) - C(j) <= 15.9)
            {
                var level = BinaryInterpolation(A(j), A(j - 1), C(j), C(j - 1));
                var longTerm = 10 * Math.Log10(sumOfSquares / samples.Count);
                return (level, Math.Pow(10, (longTerm - level) / 10));
            }
        }

        return null;
    }

    /// <summary>STL's bin_interp (v2.3), step for step.</summary>
    public static double BinaryInterpolation(double upcount, double lwcount, double upthr, double lwthr)
    {
        const double margin = 15.9;
        var tol = 0.5;
        if (Math.Abs(upcount - upthr - margin) < tol)
        {
            return upcount;
        }

        if (Math.Abs(lwcount - lwthr - margin) < tol)
        {
            return lwcount;
        }

        var midcount = (upcount + lwcount) / 2.0;
        var midthr = (upthr + lwthr) / 2.0;
        var iterno = 1;
        double diff;
        while (Math.Abs(diff = midcount - midthr - margin) > tol)
        {
            if (++iterno > 20)
            {
                tol *= 1.1;
            }

            if (diff > tol)
            {
                midcount = (upcount + midcount) / 2.0;
                midthr = (upthr + midthr) / 2.0;
                lwcount = midcount;
                lwthr = midthr;
            }
            else if (diff < -tol)
            {
                midcount = (midcount + lwcount) / 2.0;
                midthr = (midthr + lwthr) / 2.0;
                upcount = midcount;
                upthr = midthr;
            }
        }

        return midcount;
    }
}
