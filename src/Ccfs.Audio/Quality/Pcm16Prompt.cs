namespace Ccfs.Audio.Quality;

/// <summary>
/// Finds the samples of a WAV in 16-bit linear PCM at 8000 Hz mono, which the validator refuses (it takes 8-bit
/// encodings only) but a prompt can still be checked in before it is converted.
/// </summary>
internal static class Pcm16Prompt
{
    public static bool TryFindData(ReadOnlySpan<byte> wav, out ReadOnlySpan<byte> data)
    {
        data = default;
        if (!RiffReader.TryOpen(wav, out var reader, out _))
        {
            return false;
        }

        WaveFormat? format = null;
        while (reader.TryReadNext(out var chunk, out _))
        {
            if (chunk.Id == FourCC.Fmt && WaveFormat.TryParse(wav.Slice((int)chunk.BodyOffset, (int)chunk.BodyLength), out var parsed, out _))
            {
                format = parsed;
            }
            else if (chunk.Id == FourCC.Data && format is { FormatTag: WaveFormat.Pcm, BitsPerSample: 16, Channels: 1, SampleRate: P56.SampleRate })
            {
                data = wav.Slice((int)chunk.BodyOffset, (int)chunk.BodyLength);
                return true;
            }
        }

        return false;
    }
}
