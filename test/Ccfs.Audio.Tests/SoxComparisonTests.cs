using System.Diagnostics;

namespace Ccfs.Audio.Tests;

/// <summary>
/// Our conversion against sox's (<c>sox in.wav -r 8000 -c 1 -e a-law out.wav</c>): both decoded to linear, the
/// difference must be at least 25 dB below the signal, with no time offset. sox comes from Debian (.ci/run installs it).
/// </summary>
public sealed class SoxComparisonTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-sox").FullName;

    [Fact]
    public void Speech_at_22050_hz_matches_sox()
    {
        var (snr, lag) = Compare(TestData.Audio("invalid", "speech-pcm16-22050hz.wav"));

        Assert.Equal(0, lag);
        Assert.True(snr >= 25, $"difference is only {snr:F1} dB below the signal");
    }

    [Fact]
    public void Music_at_44100_hz_stereo_matches_sox()
    {
        var music = Path.Combine(_work, "music.wav");
        Sox("-n", "-r", "44100", "-c", "2", "-b", "16", music, "synth", "6", "pluck", "C3", "pluck", "E3",
            "synth", "6", "sine", "mix", "660", "remix", "1,2", "2,1", "gain", "-3");

        var (snr, lag) = Compare(music);

        Assert.Equal(0, lag);
        Assert.True(snr >= 25, $"difference is only {snr:F1} dB below the signal");
    }

    [Theory]
    [InlineData("optional", "mulaw-8k-sine.wav")]
    [InlineData("valid", "prompt-alaw-8k-odd-length.wav")]
    public void G711_decoding_matches_sox_sample_for_sample(string folder, string file)
    {
        var linear = Path.Combine(_work, "linear.raw");
        Sox(TestData.Audio(folder, file), "-t", "raw", "-e", "signed", "-b", "16", "-L", linear);
        var bytes = File.ReadAllBytes(TestData.Audio(folder, file));
        var check = WaveValidator.Validate(bytes, WaveEncodings.ALaw | WaveEncodings.MuLaw);
        var codes = bytes.AsSpan((int)check.DataOffset, (int)check.DataLength).ToArray();

        var ours = codes.Select(c => check.Encoding == WaveEncodings.MuLaw ? G711.MuLawDecode(c) : G711.ALawDecode(c)).ToArray();
        var theirs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(linear)).ToArray();

        Assert.Equal(theirs, ours);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private (double Snr, int Lag) Compare(string input)
    {
        var soxOutput = Path.Combine(_work, "sox.wav");
        Sox(input, "-r", "8000", "-c", "1", "-e", "a-law", soxOutput);
        using var source = File.OpenRead(input);
        using var ours = new MemoryStream();
        AudioConverter.ConvertToPrompt(source, ours);

        var a = WaveFiles.DecodePrompt(ours.ToArray());
        var b = WaveFiles.DecodePrompt(File.ReadAllBytes(soxOutput));
        Assert.InRange(a.Length - b.Length, -2, 2);
        var best = (Snr: double.NegativeInfinity, Lag: 0);
        for (var lag = -8; lag <= 8; lag++)
        {
            var (signal, error) = (0.0, 0.0);
            for (var i = 16; i < Math.Min(a.Length, b.Length) - 16; i++)
            {
                signal += b[i] * (double)b[i];
                error += (a[i + lag] - b[i]) * (double)(a[i + lag] - b[i]);
            }

            var snr = 10 * Math.Log10(signal / error);
            if (snr > best.Snr)
            {
                best = (snr, lag);
            }
        }

        return best;
    }

    private static void Sox(params string[] arguments)
    {
        var start = new ProcessStartInfo("sox") { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("sox is needed for this test: apt-get install sox (.ci/run does)", e);
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"sox {string.Join(' ', arguments)} failed: {errors}");
        }
    }
}
