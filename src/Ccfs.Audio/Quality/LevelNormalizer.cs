namespace Ccfs.Audio.Quality;

/// <summary>
/// Brings a prompt's active speech level (measured by <see cref="PromptAnalyzer"/>, as the server will) to a target,
/// with <see cref="PeakLimiter"/> keeping every sample off A-law's extreme code, after taking out any DC offset (which
/// P.56 would count as speech), and cuts the silence before and after the speech down to a pad. The gain is found by
/// measuring the encoded result: P.56 finds a level between thresholds a factor of two apart by stepwise halving, so a
/// gain of G dB does not always move the measurement by exactly G.
/// </summary>
internal static class LevelNormalizer
{
    /// <summary>A-law's extreme code (±32256) holds everything from 31744 up; 0.95 of full scale (31130) stays a step below.</summary>
    public const float Ceiling = 0.95f;

    private const double CloseEnoughDb = 0.05;
    private const int Corrections = 6;

    /// <summary>Past this miss, gains around the best are tried in 0.1 dB steps.</summary>
    private const double SearchBeyondDb = 0.1;

    public static (byte[] Codes, PromptNormalization Result) Normalize(ReadOnlySpan<float> samples, double targetDbov, TimeSpan pad)
    {
        var before = MeasureAsALaw(samples);
        var centered = WithoutOffset(samples);
        var speech = MeasureAsALaw(centered);
        if (speech.ActiveLevelDbov is not { } level)
        {
            throw new UnsupportedAudioException("it has no active speech (ITU-T P.56) to bring to a level");
        }

        var padSamples = (long)Math.Round(pad.TotalSeconds * P56.SampleRate);
        var cutHead = Math.Max(0, SampleCount(speech.HeadSilence) - padSamples);
        var cutTail = Math.Max(0, SampleCount(speech.TailSilence) - padSamples);
        var kept = centered.AsSpan((int)cutHead..(int)(samples.Length - cutTail));

        var attempt = new Rendering(kept.Length);
        var best = new Rendering(kept.Length);
        var gain = targetDbov - level;
        for (var i = 0; i < Corrections && best.MissDb > CloseEnoughDb; i++)
        {
            attempt.Render(kept, gain, targetDbov);
            gain += targetDbov - (attempt.Measurement!.ActiveLevelDbov ?? targetDbov);
            if (attempt.MissDb < best.MissDb)
            {
                (attempt, best) = (best, attempt);
            }
        }

        var found = best.GainDb;
        for (var step = 1; step <= 10 && best.MissDb > SearchBeyondDb; step++)
        {
            foreach (var tried in new[] { found - (0.1 * step), found + (0.1 * step) })
            {
                attempt.Render(kept, tried, targetDbov);
                if (attempt.MissDb < best.MissDb)
                {
                    (attempt, best) = (best, attempt);
                }
            }
        }

        return (best.Codes, new PromptNormalization(before, best.Measurement!, best.GainDb,
            PromptMeasurement.SampleTime(cutHead), PromptMeasurement.SampleTime(cutTail), best.Limited));
    }

    private static PromptMeasurement MeasureAsALaw(ReadOnlySpan<float> samples)
    {
        var codes = new byte[samples.Length];
        G711.ALawEncode(samples, codes);
        return PromptAnalyzer.Measure(codes, WaveEncodings.ALaw);
    }

    /// <summary>The samples less their mean.</summary>
    private static float[] WithoutOffset(ReadOnlySpan<float> samples)
    {
        var sum = 0.0;
        foreach (var sample in samples)
        {
            sum += sample;
        }

        var mean = samples.IsEmpty ? 0f : (float)(sum / samples.Length);
        var centered = new float[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            centered[i] = samples[i] - mean;
        }

        return centered;
    }

    private static long SampleCount(TimeSpan time) => time.Ticks / (TimeSpan.TicksPerSecond / P56.SampleRate);

    /// <summary>The prompt at one gain: its samples, their A-law codes and what they measure.</summary>
    private sealed class Rendering(int length)
    {
        private readonly float[] _samples = new float[length];

        public byte[] Codes { get; } = new byte[length];

        public double GainDb { get; private set; }

        public int Limited { get; private set; }

        public PromptMeasurement? Measurement { get; private set; }

        /// <summary>How far the measured level is from the target; infinite before the first rendering or without speech.</summary>
        public double MissDb { get; private set; } = double.PositiveInfinity;

        public void Render(ReadOnlySpan<float> speech, double gainDb, double targetDbov)
        {
            GainDb = gainDb;
            Limited = PeakLimiter.Apply(speech, (float)Math.Pow(10, gainDb / 20), Ceiling, _samples);
            G711.ALawEncode(_samples, Codes);
            Measurement = PromptAnalyzer.Measure(Codes, WaveEncodings.ALaw);
            MissDb = Measurement.ActiveLevelDbov is { } level ? Math.Abs(level - targetDbov) : double.PositiveInfinity;
        }
    }
}
