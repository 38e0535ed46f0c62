using Ccfs.Audio;

namespace Ccfs.Cli;

/// <summary>What a local audio file is, in words, for advice after the endpoint (or the converter) refused it.</summary>
internal static class LocalAudio
{
    /// <summary>The file starts like an MP3: an ID3 tag, or an MPEG audio frame header.</summary>
    public static bool IsMp3(string path)
    {
        Span<byte> head = stackalloc byte[3];
        try
        {
            using var file = File.OpenRead(path);
            if (file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length)
            {
                return false;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // A frame header: 11 sync bits, a layer other than the reserved 00, a bitrate other than "bad", a known sample rate.
        return head.SequenceEqual("ID3"u8)
            || (head[0] == 0xFF && (head[1] & 0xE0) == 0xE0 && (head[1] & 0x06) != 0 && head[2] >> 4 != 0xF && ((head[2] >> 2) & 3) != 3);
    }

    /// <summary>
    /// The file is a prompt CC-FS stores as it is (A-law, 8 kHz, mono), so a format refusal concerns something else
    /// (the VDN, say) and converting would change nothing.
    /// </summary>
    public static bool IsPrompt(string path)
    {
        try
        {
            return WaveValidator.Validate(File.ReadAllBytes(path)).IsValid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static string Mp3Advice(string path) =>
        $"{path} is an MP3 file, not a WAV: ccfs converts WAV files only; make it a WAV first (for example "
        + $"`ffmpeg -i {ShellWord.Quote(Path.GetFileName(path))} prompt.wav`), then upload that with --convert";

    /// <summary>
    /// For a WAV the endpoint refused as the wrong format: its format, rate and channels, and that --convert makes it
    /// what the IVR plays; for an MP3, that it is one. Null when the file is neither (the endpoint's reason stands).
    /// </summary>
    public static string? ConvertAdvice(string path)
    {
        if (IsMp3(path))
        {
            return Mp3Advice(path);
        }

        try
        {
            using var file = File.OpenRead(path);
            if (!WaveDecoder.TryOpen(file, out var decoder, out _))
            {
                return null;
            }

            var format = decoder!.Format;
            var channels = format.Channels == 1 ? "" : $", {format.Channels} channels";
            return $"{path} is {format.Describe()} at {format.SampleRate} Hz{channels}; add --convert to convert it to A-law 8 kHz mono";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UnsupportedAudioException)
        {
            return null;
        }
    }
}
