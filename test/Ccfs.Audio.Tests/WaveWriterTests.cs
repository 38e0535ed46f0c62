using Ccfs.Tests;

namespace Ccfs.Audio.Tests;

public sealed class WaveWriterTests
{
    [Fact]
    public void Writes_the_same_bytes_as_sox()
    {
        var sox = File.ReadAllBytes(TestData.Audio("valid", "alaw-8k-sine.wav"));
        var samples = sox.AsSpan(WaveWriter.ALawHeaderLength);

        Assert.Equal(sox, WaveWriter.ALaw(samples));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8001)]
    public void What_it_writes_is_a_valid_prompt_holding_the_samples(int count)
    {
        var samples = Enumerable.Range(0, count).Select(i => (byte)i).ToArray();

        var file = WaveWriter.ALaw(samples);
        var result = WaveValidator.Validate(file);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(WaveWriter.ALawLength(count), file.Length);
        Assert.Equal(0, file.Length % 2);
        Assert.Equal(samples, file.AsSpan((int)result.DataOffset, (int)result.DataLength).ToArray());
    }
}
