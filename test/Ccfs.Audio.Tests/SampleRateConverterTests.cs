using CsCheck;

namespace Ccfs.Audio.Tests;

/// <summary>The resampler against the ideal: unity gain and no delay in the pass band, nothing left past Nyquist.</summary>
public sealed class SampleRateConverterTests
{
    public static TheoryData<int> InputRates() => [6000, 11025, 16000, 22050, 32000, 44100, 48000, 96000, 44056];

    [Theory]
    [MemberData(nameof(InputRates))]
    public void A_pass_band_tone_comes_out_with_its_amplitude_and_phase(int rate)
    {
        var tone = Math.Min(1000.0, rate * 0.2);
        var output = Convert(WaveFiles.Sine(rate, tone, 1.0), rate, 8000);

        // Compare with the ideal tone at the output instants, away from the edges the filter cannot see past.
        var ideal = WaveFiles.Sine(8000, tone, 1.0);
        var (signal, error) = (0.0, 0.0);
        for (var i = 400; i < 7600; i++)
        {
            signal += ideal[i] * ideal[i];
            error += (output[i] - ideal[i]) * (output[i] - ideal[i]);
        }

        Assert.True(10 * Math.Log10(signal / error) > 60, $"{10 * Math.Log10(signal / error):F1} dB");
    }

    [Theory]
    [InlineData(44100, 5000)]
    [InlineData(44100, 12000)]
    [InlineData(22050, 4500)]
    [InlineData(16000, 6000)]
    [InlineData(48000, 20000)]
    public void Tones_above_the_output_nyquist_are_removed(int rate, double hz)
    {
        var output = Convert(WaveFiles.Sine(rate, hz, 1.0), rate, 8000);

        var energy = output.Skip(400).Take(7200).Average(s => s * (double)s);
        Assert.True(10 * Math.Log10(energy / 0.125) < -80, $"{10 * Math.Log10(energy / 0.125):F1} dB");
    }

    [Theory]
    [InlineData(44100, 3500)]
    [InlineData(22050, 3500)]
    public void The_pass_band_reaches_3500_hz_flat(int rate, double hz)
    {
        var output = Convert(WaveFiles.Sine(rate, hz, 1.0), rate, 8000);

        var rms = Math.Sqrt(output.Skip(400).Take(7200).Average(s => s * (double)s));
        Assert.InRange(20 * Math.Log10(rms / (0.5 / Math.Sqrt(2))), -0.1, 0.1);
    }

    [Theory]
    [MemberData(nameof(InputRates))]
    public void One_output_sample_for_each_output_instant_inside_the_input(int rate)
    {
        var inputs = rate + 12345;

        var output = Convert(new float[inputs], rate, 8000);

        Assert.Equal((int)Math.Ceiling(inputs * 8000.0 / rate), output.Length);
    }

    [Fact]
    public void The_output_does_not_depend_on_how_the_input_is_cut_into_blocks()
    {
        var input = WaveFiles.Sine(44100, 700, 0.3);
        var whole = Convert(input, 44100, 8000);
        Gen.Int[1, 5000].Array[1, 20].Sample(cuts =>
        {
            var converter = new SampleRateConverter(44100, 8000);
            var output = new List<float>();
            var at = 0;
            foreach (var cut in cuts.Append(input.Length))
            {
                var length = Math.Min(cut, input.Length - at);
                var buffer = new float[converter.MaxOutput(length)];
                output.AddRange(buffer.AsSpan(0, converter.Process(input.AsSpan(at, length), buffer)));
                at += length;
            }

            var rest = new float[converter.MaxOutput(0)];
            output.AddRange(rest.AsSpan(0, converter.Flush(rest)));
            Assert.Equal(whole, output);
        }, iter: 30);
    }

    [Theory]
    [InlineData(44100, 2)]
    [InlineData(48000, 2)]
    [InlineData(22050, 2)]
    [InlineData(11025, 1)]
    [InlineData(6000, 1)]
    public void Large_reductions_use_an_integer_first_stage(int rate, int stages)
    {
        Assert.Equal(stages, new SampleRateConverter(rate, 8000).Stages);
    }

    internal static float[] Convert(float[] input, int from, int to)
    {
        var converter = new SampleRateConverter(from, to);
        var output = new float[converter.MaxOutput(input.Length)];
        var produced = converter.Process(input, output);
        var rest = new float[converter.MaxOutput(0)];
        var flushed = converter.Flush(rest);
        return [.. output.AsSpan(0, produced), .. rest.AsSpan(0, flushed)];
    }
}
