using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ccfs.Audio;

/// <summary>
/// Reads a WAV of any common encoding from a stream and hands out its samples as mono floats in [-1, 1], channels
/// averaged: PCM of 8, 16, 24 or 32 bits, IEEE float of 32 or 64 bits, A-law and mu-law, at any rate, also
/// WAVE_FORMAT_EXTENSIBLE. The header walk is bounded like <see cref="RiffReader"/>; a data size of 0xFFFFFFFF
/// (a WAV written to a pipe) means "up to the end of the stream".
/// </summary>
public sealed class WaveDecoder
{
    private const int MaxFmtLength = 1024;
    private const uint StreamingSize = uint.MaxValue;

    private readonly Stream _input;
    private readonly int _bytesPerSample;
    private readonly ushort _formatTag;
    private long _remainingBytes;
    private byte[] _raw = [];

    private WaveDecoder(Stream input, WaveFormat format, int bytesPerSample, long dataBytes)
    {
        _input = input;
        Format = format;
        _formatTag = format.FormatTag;
        _bytesPerSample = bytesPerSample;
        _remainingBytes = dataBytes;
        FrameCount = dataBytes == long.MaxValue ? null : dataBytes / (bytesPerSample * format.Channels);
    }

    public WaveFormat Format { get; }

    public int SampleRate => (int)Format.SampleRate;

    /// <summary>The number of sample frames, or null when the header does not say (a streaming WAV).</summary>
    public long? FrameCount { get; }

    /// <summary>Reads the header up to the start of the samples; false with a reason for anything it cannot convert.</summary>
    public static bool TryOpen(Stream input, out WaveDecoder? decoder, out string? reason)
    {
        decoder = null;
        Span<byte> header = stackalloc byte[12];
        if (!TryReadExactly(input, header))
        {
            reason = "the file is too short for a RIFF/WAVE header";
            return false;
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (magic != FourCC.Riff || BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != FourCC.Wave)
        {
            reason = magic == FourCC.Rf64 ? "RF64 is not supported" : "not a RIFF/WAVE file";
            return false;
        }

        WaveFormat? format = null;
        Span<byte> chunk = stackalloc byte[8];
        for (var chunks = 0; chunks < RiffReader.MaxChunks; chunks++)
        {
            if (!TryReadExactly(input, chunk))
            {
                reason = format is null ? "the file has no fmt chunk" : "the file has no data chunk";
                return false;
            }

            var id = BinaryPrimitives.ReadUInt32LittleEndian(chunk);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (id == FourCC.Fmt)
            {
                if (size > MaxFmtLength)
                {
                    reason = $"the fmt chunk claims {size} bytes";
                    return false;
                }

                var body = new byte[size + (size & 1)];
                if (!TryReadExactly(input, body))
                {
                    reason = "the fmt chunk is truncated";
                    return false;
                }

                if (!WaveFormat.TryParse(body.AsSpan(0, (int)size), out var parsed, out reason))
                {
                    return false;
                }

                format = parsed;
            }
            else if (id == FourCC.Data)
            {
                if (format is not { } f)
                {
                    reason = "the data chunk comes before the fmt chunk";
                    return false;
                }

                if (!TryCheckFormat(f, out var bytesPerSample, out reason))
                {
                    return false;
                }

                decoder = new WaveDecoder(input, f, bytesPerSample, size == StreamingSize ? long.MaxValue : size);
                return true;
            }
            else if (!TrySkip(input, size + (size & 1)))
            {
                reason = $"the {FourCC.ToText(id)} chunk is truncated";
                return false;
            }
        }

        reason = $"the file has more than {RiffReader.MaxChunks} chunks before its data";
        return false;
    }

    /// <summary>Reads up to <paramref name="mono"/>.Length frames; 0 at the end of the samples.</summary>
    public int Read(Span<float> mono)
    {
        var channels = Format.Channels;
        var frameBytes = _bytesPerSample * channels;
        var wanted = (int)Math.Min((long)mono.Length * frameBytes, _remainingBytes);
        wanted -= wanted % frameBytes;
        if (wanted == 0)
        {
            return 0;
        }

        if (_raw.Length < wanted)
        {
            _raw = new byte[wanted];
        }

        var read = _input.ReadAtLeast(_raw.AsSpan(0, wanted), wanted, throwOnEndOfStream: false);
        read -= read % frameBytes;
        _remainingBytes = read < wanted ? 0 : _remainingBytes - read;
        var frames = read / frameBytes;
        if (_formatTag == WaveFormat.Pcm && _bytesPerSample == 2 && BitConverter.IsLittleEndian)
        {
            MixInt16(MemoryMarshal.Cast<byte, short>(_raw.AsSpan(0, read)), channels, mono[..frames]);
            return frames;
        }

        var scale = 1f / channels;
        for (var frame = 0; frame < frames; frame++)
        {
            var sum = 0f;
            var offset = frame * frameBytes;
            for (var c = 0; c < channels; c++, offset += _bytesPerSample)
            {
                sum += Sample(_raw.AsSpan(offset, _bytesPerSample));
            }

            mono[frame] = sum * scale;
        }

        return frames;
    }

    /// <summary>The common case, 16-bit PCM, without the per-sample dispatch of the general path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MixInt16(ReadOnlySpan<short> samples, int channels, Span<float> mono)
    {
        switch (channels)
        {
            case 1:
                for (var i = 0; i < mono.Length; i++)
                {
                    mono[i] = samples[i] * (1f / 32768);
                }

                break;
            case 2:
                for (var i = 0; i < mono.Length; i++)
                {
                    mono[i] = (samples[2 * i] + samples[(2 * i) + 1]) * (1f / 65536);
                }

                break;
            default:
                var scale = 1f / (32768 * channels);
                for (var i = 0; i < mono.Length; i++)
                {
                    var sum = 0;
                    foreach (var sample in samples.Slice(i * channels, channels))
                    {
                        sum += sample;
                    }

                    mono[i] = sum * scale;
                }

                break;
        }
    }

    private float Sample(ReadOnlySpan<byte> bytes) => _formatTag switch
    {
        WaveFormat.ALaw => G711.ALawDecode(bytes[0]) / 32768f,
        WaveFormat.MuLaw => G711.MuLawDecode(bytes[0]) / 32768f,
        WaveFormat.IeeeFloat when bytes.Length == 4 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
        WaveFormat.IeeeFloat => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes),
        _ => bytes.Length switch
        {
            1 => (bytes[0] - 128) / 128f,
            2 => BinaryPrimitives.ReadInt16LittleEndian(bytes) / 32768f,
            3 => ((bytes[0] << 8) | (bytes[1] << 16) | (bytes[2] << 24)) / 2147483648f,
            _ => BinaryPrimitives.ReadInt32LittleEndian(bytes) / 2147483648f,
        },
    };

    private static bool TryCheckFormat(WaveFormat format, out int bytesPerSample, out string? reason)
    {
        bytesPerSample = format.Channels == 0 ? 0 : format.BlockAlign / format.Channels;
        reason = null;
        if (format.Channels is < 1 or > 32 || format.SampleRate is < 1000 or > 768_000)
        {
            reason = $"{format.Channels} channels at {format.SampleRate} Hz cannot be converted";
        }
        else if (bytesPerSample * format.Channels != format.BlockAlign)
        {
            reason = $"block align {format.BlockAlign} does not fit {format.Channels} channels";
        }
        else
        {
            var supported = format.FormatTag switch
            {
                WaveFormat.Pcm => bytesPerSample is 1 or 2 or 3 or 4,
                WaveFormat.IeeeFloat => bytesPerSample is 4 or 8,
                WaveFormat.ALaw or WaveFormat.MuLaw => bytesPerSample == 1,
                _ => false,
            };
            if (!supported)
            {
                reason = $"{format.Describe()} in {bytesPerSample}-byte samples cannot be converted";
            }
        }

        return reason is null;
    }

    private static bool TryReadExactly(Stream input, Span<byte> buffer) =>
        input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;

    private static bool TrySkip(Stream input, long count)
    {
        if (input.CanSeek)
        {
            if (input.Position + count > input.Length)
            {
                return false;
            }

            input.Seek(count, SeekOrigin.Current);
            return true;
        }

        Span<byte> scratch = stackalloc byte[4096];
        while (count > 0)
        {
            var read = input.Read(scratch[..(int)Math.Min(count, scratch.Length)]);
            if (read == 0)
            {
                return false;
            }

            count -= read;
        }

        return true;
    }
}
