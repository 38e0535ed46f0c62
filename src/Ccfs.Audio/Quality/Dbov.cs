namespace Ccfs.Audio.Quality;

/// <summary>Levels relative to the overload point of 16-bit samples, with digital silence shown as −100 dBov as STL does.</summary>
internal static class Dbov
{
    public const double Silence = -100;

    /// <summary>A mean square in 16-bit units, in dBov.</summary>
    public static double OfPower(double meanSquare) =>
        meanSquare <= 0 ? Silence : Math.Max(Silence, 10 * Math.Log10(meanSquare / (P56.FullScale * P56.FullScale)));

    /// <summary>An amplitude in 16-bit units, in dBov.</summary>
    public static double OfAmplitude(double amplitude) => OfPower(amplitude * amplitude);
}
