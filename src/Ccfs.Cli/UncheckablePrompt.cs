using Ccfs.Audio;

namespace Ccfs.Cli;

/// <summary>
/// Why the prompt checks cannot measure a file, in the checks' own terms (the validator's reason speaks of what
/// uploadFile takes: A-law only), and the <c>ccfs convert</c> that makes it a prompt only when convert can take it.
/// </summary>
internal static class UncheckablePrompt
{
    public static string Explain(string path, string reason, bool converted)
    {
        if (LocalAudio.IsMp3(path))
        {
            return $"{reason}; {LocalAudio.Mp3Advice(path)}";
        }

        if (converted)
        {
            return $"{reason}; it cannot be converted";
        }

        return ConvertibleFormat(path) is { } format
            ? $"{Problem(format) ?? reason}; ccfs convert {ShellWord.Quote(path)} prompt.wav makes it one"
            : reason;
    }

    /// <summary>What the checks do not take in a format convert reads; null when the trouble is elsewhere.</summary>
    private static string? Problem(WaveFormat format)
    {
        var problems = new List<string>();
        if (!(format.FormatTag is WaveFormat.ALaw or WaveFormat.MuLaw || (format.FormatTag == WaveFormat.Pcm && format.BitsPerSample is 8 or 16)))
        {
            problems.Add("A-law, mu-law, 8- or 16-bit PCM");
        }

        if (format.SampleRate != WaveValidator.RequiredSampleRate)
        {
            problems.Add($"{WaveValidator.RequiredSampleRate} Hz");
        }

        if (format.Channels != 1)
        {
            problems.Add("mono");
        }

        var channels = format.Channels == 1 ? "" : $", {format.Channels} channels";
        return problems.Count == 0 ? null
            : $"{format.Describe()} at {format.SampleRate} Hz{channels}, and the checks take {string.Join(", ", problems)} only";
    }

    /// <summary>The file's format when <c>ccfs convert</c> can convert it, else null.</summary>
    private static WaveFormat? ConvertibleFormat(string path)
    {
        try
        {
            using var input = File.OpenRead(path);
            return AudioConverter.ConvertToPrompt(input, Stream.Null).Source;
        }
        catch (Exception e) when (e is UnsupportedAudioException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
