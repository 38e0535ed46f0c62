namespace Ccfs.Audio.Quality;

/// <summary>
/// The constants of ITU-T P.56 method B as the ITU-T reference implementation (STL's <c>actlev</c>) applies them to
/// a signal sampled at 8000 Hz. Levels are in dBov: decibels relative to the overload point of 16-bit samples, 32768.
/// </summary>
internal static class P56
{
    public const int SampleRate = 8000;

    /// <summary>The envelope's time constant, 0.03 s, as the coefficient of its two one-pole smoothers.</summary>
    public static readonly double Smoothing = Math.Exp(-1.0 / (SampleRate * 0.03));

    /// <summary>0.2 s of hangover: samples this close after the envelope last reached a threshold still count as active.</summary>
    public const int HangoverSamples = 1600;

    /// <summary>The active level lies this far above the threshold it is measured at.</summary>
    public const double MarginDb = 15.9;

    /// <summary>Thresholds 1, 2, 4 … 16384 in 16-bit units: one quantisation step up to half the overload point.</summary>
    public const int ThresholdCount = 15;

    public const double FullScale = 32768;

    /// <summary>The level of threshold <paramref name="index"/> (2^index in 16-bit units), in dBov.</summary>
    public static double ThresholdDbov(int index) => 20 * Math.Log10(Math.ScaleB(1.0, index) / FullScale);

    /// <summary>
    /// How many thresholds an envelope value reaches: threshold j is 2^j, so for a value of at least 1 the count is its
    /// bit length, capped at <see cref="ThresholdCount"/>.
    /// </summary>
    public static int ThresholdsReached(float envelope) =>
        envelope < 1 ? 0 : Math.Min(ThresholdCount, System.Numerics.BitOperations.Log2((uint)envelope) + 1);
}
