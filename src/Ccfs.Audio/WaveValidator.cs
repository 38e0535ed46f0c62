namespace Ccfs.Audio;

/// <summary>The verdict on a prompt file: where its samples are, or why it is refused.</summary>
public readonly record struct WaveValidation(
    string? Reason,
    WaveEncodings Encoding,
    long DataOffset,
    long DataLength,
    int ChunksExamined)
{
    public bool IsValid => Reason is null;

    /// <summary>Playing time: one byte per sample at 8000 samples per second.</summary>
    public TimeSpan Duration => TimeSpan.FromMilliseconds(DataLength / 8.0);
}

/// <summary>
/// Decides whether a file is what CC-FS plays: RIFF/WAVE, 8 bit, 8000 Hz, 64 kbit/s, mono, in one of the accepted
/// encodings (spec §4). Work is bounded by the chunk limit of <see cref="RiffReader"/>, and nothing is allocated
/// except the reason text of a refusal.
/// </summary>
public static class WaveValidator
{
    public const int RequiredSampleRate = 8000;

    public static WaveValidation Validate(ReadOnlySpan<byte> file, WaveEncodings accepted = WaveEncodings.ALaw)
    {
        if (!RiffReader.TryOpen(file, out var reader, out var error))
        {
            return Refuse(error!, 0);
        }

        RiffChunk? fmt = null;
        RiffChunk? data = null;
        while (reader.TryReadNext(out var chunk, out error))
        {
            switch (chunk.Id)
            {
                case FourCC.Fmt when fmt is not null:
                    return Refuse("the file has a second fmt chunk", reader.ChunksRead);
                case FourCC.Fmt:
                    fmt = chunk;
                    break;
                case FourCC.Data when data is not null:
                    return Refuse("the file has a second data chunk", reader.ChunksRead);
                case FourCC.Data:
                    data = chunk;
                    break;
            }
        }

        if (error is not null)
        {
            return Refuse(error, reader.ChunksRead);
        }

        var chunks = reader.ChunksRead;
        if (fmt is not { } f)
        {
            return Refuse("the file has no fmt chunk", chunks);
        }

        if (data is not { } d)
        {
            return Refuse("the file has no data chunk", chunks);
        }

        if (d.HeaderOffset < f.HeaderOffset)
        {
            return Refuse("the data chunk comes before the fmt chunk", chunks);
        }

        if (!WaveFormat.TryParse(file.Slice((int)f.BodyOffset, (int)f.BodyLength), out var format, out error))
        {
            return Refuse(error!, chunks);
        }

        var problem = CheckFormat(format, accepted, out var encoding);
        if (problem is not null)
        {
            return Refuse(problem, chunks);
        }

        if (d.BodyLength == 0)
        {
            return Refuse("the data chunk is empty", chunks);
        }

        return new WaveValidation(null, encoding, d.BodyOffset, d.BodyLength, chunks);
    }

    private static string? CheckFormat(WaveFormat format, WaveEncodings accepted, out WaveEncodings encoding)
    {
        encoding = format.FormatTag switch
        {
            WaveFormat.ALaw => WaveEncodings.ALaw,
            WaveFormat.MuLaw => WaveEncodings.MuLaw,
            WaveFormat.Pcm when format.BitsPerSample == 8 => WaveEncodings.Pcm8,
            _ => WaveEncodings.None,
        };

        if (encoding == WaveEncodings.None)
        {
            return ReasonText.Of($"{format.Describe()} is not supported, G.711 A-law required");
        }

        if ((accepted & encoding) == 0)
        {
            return ReasonText.Of($"{WaveEncodingNames.Describe(encoding)} is not among the accepted encodings");
        }

        if (format.Channels != 1)
        {
            return ReasonText.Of($"{format.Channels} channels, mono required");
        }

        if (format.SampleRate != RequiredSampleRate)
        {
            return ReasonText.Of($"sample rate {format.SampleRate} Hz, {RequiredSampleRate} Hz required");
        }

        if (format.BitsPerSample != 8)
        {
            return ReasonText.Of($"{format.BitsPerSample} bits per sample, 8 required");
        }

        if (format.ByteRate != RequiredSampleRate)
        {
            return ReasonText.Of($"byte rate {format.ByteRate} B/s, {RequiredSampleRate} B/s (64 kbit/s) required");
        }

        if (format.BlockAlign != 1)
        {
            return ReasonText.Of($"block align {format.BlockAlign}, 1 required");
        }

        return null;
    }

    private static WaveValidation Refuse(string reason, int chunks) => new(reason, WaveEncodings.None, 0, 0, chunks);
}
