namespace Ccfs.Audio.Quality;

/// <summary>
/// Applies a gain and keeps every sample at or below a ceiling without flattening it: where the amplified signal would
/// pass the ceiling, the gain is lowered smoothly around that sample. The gain at each sample is the mean, over a
/// 10 ms window, of the lowest gain any sample within 5 ms of it needs; every value averaged is at most what the
/// sample itself needs, so the mean is too, and no sample can pass the ceiling.
/// </summary>
internal static class PeakLimiter
{
    /// <summary>5 ms either side: long enough to avoid audible steps, short enough to leave the rest alone.</summary>
    private const int Reach = 40;

    /// <summary>Writes <c>gain·x</c>, limited to ±<paramref name="ceiling"/>, into <paramref name="output"/>.</summary>
    /// <returns>How many samples needed the limiter.</returns>
    public static int Apply(ReadOnlySpan<float> input, float gain, float ceiling, Span<float> output)
    {
        var limited = 0;
        float[]? hold = null;
        for (var i = 0; i < input.Length; i++)
        {
            var magnitude = Math.Abs(input[i] * gain);
            if (magnitude <= ceiling)
            {
                continue;
            }

            // The lowest gain needed within Reach of each sample, filled in only around the samples that need any.
            hold ??= Ones(input.Length);
            var need = ceiling / magnitude;
            for (var j = Math.Max(0, i - Reach); j <= Math.Min(input.Length - 1, i + Reach); j++)
            {
                hold[j] = Math.Min(hold[j], need);
            }

            limited++;
        }

        if (hold is null)
        {
            for (var i = 0; i < input.Length; i++)
            {
                output[i] = input[i] * gain;
            }

            return 0;
        }

        // A running sum over the window [i − Reach, i + Reach], cut at the ends.
        var sum = 0.0;
        var count = 0;
        for (var j = 0; j < Math.Min(Reach, input.Length); j++)
        {
            sum += hold[j];
            count++;
        }

        for (var i = 0; i < input.Length; i++)
        {
            if (i + Reach < input.Length)
            {
                sum += hold[i + Reach];
                count++;
            }

            if (i - Reach - 1 >= 0)
            {
                sum -= hold[i - Reach - 1];
                count--;
            }

            // The clamp only takes back what rounding may add.
            output[i] = Math.Clamp(input[i] * gain * (float)(sum / count), -ceiling, ceiling);
        }

        return limited;
    }

    private static float[] Ones(int length)
    {
        var ones = new float[length];
        ones.AsSpan().Fill(1f);
        return ones;
    }
}
