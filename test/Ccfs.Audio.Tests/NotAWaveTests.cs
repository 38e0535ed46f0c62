using System.Text;

namespace Ccfs.Audio.Tests;

/// <summary>A file in another audio format is named as such, with how to convert it, rather than by its first four bytes.</summary>
public sealed class NotAWaveTests
{
    [Theory]
    [InlineData("ID3\u0004\0\0\0\0\0\u000Fpadding-to-length", "an MP3 file, not a RIFF/WAVE file")]
    [InlineData("\u00FF\u00FB\u0090\u0064padding-to-length", "an MP3 file, not a RIFF/WAVE file")]
    [InlineData("OggS\0\u0002\0\0padding-to-length", "an Ogg file, not a RIFF/WAVE file")]
    [InlineData("fLaC\0\0\0\u0022padding-to-length", "an FLAC file, not a RIFF/WAVE file")]
    [InlineData("<html><body>padding-to-length", "not a RIFF/WAVE file (it starts with '<htm")]
    public void Another_format_is_named(string start, string reason)
    {
        var bytes = Encoding.Latin1.GetBytes(start);

        var result = WaveValidator.Validate(bytes);

        Assert.StartsWith(reason, result.Reason, StringComparison.Ordinal);
    }
}
