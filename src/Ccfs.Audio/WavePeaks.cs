namespace Ccfs.Audio;

/// <summary>
/// A waveform picture's data: the file cut into equal buckets of frames, with the lowest and highest sample of each,
/// in [-1, 1]. Reads the file once in blocks; memory is the two arrays.
/// </summary>
public sealed record WavePeaks(int SampleRate, long Frames, float[] Min, float[] Max)
{
    public const int MaxPoints = 4096;
    private const int BlockFrames = 16 * 1024;

    public TimeSpan Duration => TimeSpan.FromSeconds(Frames / (double)SampleRate);

    /// <param name="input">A WAV <see cref="WaveDecoder"/> reads; its header must give the data size.</param>
    /// <param name="points">Buckets wanted, 1 to <see cref="MaxPoints"/>; fewer when the file has fewer frames.</param>
    public static WavePeaks Compute(Stream input, int points)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(points, MaxPoints);
        if (!WaveDecoder.TryOpen(input, out var decoder, out var reason))
        {
            throw new UnsupportedAudioException(reason!);
        }

        if (decoder!.FrameCount is not { } frames)
        {
            throw new UnsupportedAudioException("the WAV header does not give the number of samples");
        }

        var buckets = (int)Math.Min(points, frames);
        var min = new float[buckets];
        var max = new float[buckets];
        min.AsSpan().Fill(1f);
        max.AsSpan().Fill(-1f);
        var block = new float[BlockFrames];
        long frame = 0;
        int read;
        while (buckets > 0 && (read = decoder.Read(block)) > 0)
        {
            for (var i = 0; i < read && frame < frames; i++, frame++)
            {
                var bucket = (int)(frame * buckets / frames);
                var sample = Math.Clamp(block[i], -1f, 1f);
                min[bucket] = Math.Min(min[bucket], sample);
                max[bucket] = Math.Max(max[bucket], sample);
            }
        }

        // A truncated file leaves its last buckets empty: they show silence.
        for (var i = 0; i < buckets; i++)
        {
            if (min[i] > max[i])
            {
                min[i] = max[i] = 0;
            }
        }

        return new WavePeaks(decoder.SampleRate, frames, min, max);
    }
}
