namespace Ccfs.Audio.Tests;

public sealed class WavePeaksTests
{
    [Fact]
    public void Each_bucket_holds_the_extremes_of_its_frames()
    {
        // Four buckets of 2000 frames: silence, a full-scale sine, a half-scale sine, silence.
        var samples = new float[8000];
        var loud = WaveFiles.Sine(8000, 400, 0.25, amplitude: 0.9);
        var soft = WaveFiles.Sine(8000, 400, 0.25, amplitude: 0.4);
        loud.CopyTo(samples, 2000);
        soft.CopyTo(samples, 4000);
        var wav = WaveFiles.Write(samples, 8000, WaveFormat.Pcm, 2);

        var peaks = WavePeaks.Compute(new MemoryStream(wav), 4);

        Assert.Equal(8000, peaks.Frames);
        Assert.Equal(TimeSpan.FromSeconds(1), peaks.Duration);
        Assert.Equal([0f, -0.9f, -0.4f, 0f], peaks.Min.Select(v => MathF.Round(v, 2)));
        Assert.Equal([0f, 0.9f, 0.4f, 0f], peaks.Max.Select(v => MathF.Round(v, 2)));
    }

    [Fact]
    public void A_file_shorter_than_the_points_asked_gives_one_bucket_per_frame()
    {
        var wav = WaveFiles.Write([0.5f, -0.25f, 0f], 8000, WaveFormat.Pcm, 2);

        var peaks = WavePeaks.Compute(new MemoryStream(wav), 400);

        Assert.Equal(3, peaks.Max.Length);
        Assert.Equal(0.5f, peaks.Max[0], 0.001f);
        Assert.Equal(-0.25f, peaks.Min[1], 0.001f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(WavePeaks.MaxPoints + 1)]
    public void The_number_of_points_is_bounded(int points)
    {
        var wav = WaveFiles.Write([0f], 8000, WaveFormat.Pcm, 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => WavePeaks.Compute(new MemoryStream(wav), points));
    }
}
