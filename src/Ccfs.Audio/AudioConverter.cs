using System.Runtime.InteropServices;
using Ccfs.Audio.Quality;

namespace Ccfs.Audio;

/// <summary>What a conversion produced, and with <see cref="PromptConversion.NormalizeToDbov"/> what normalising did.</summary>
public readonly record struct ConversionResult(WaveFormat Source, int Samples, PromptNormalization? Normalization = null)
{
    public TimeSpan Duration => TimeSpan.FromSeconds(Samples / (double)WaveValidator.RequiredSampleRate);
}

/// <summary>The input cannot be converted; the message says why.</summary>
public sealed class UnsupportedAudioException(string reason) : Exception(reason);

/// <summary>
/// Turns a WAV of any common encoding, rate and channel count into what CC-FS plays: G.711 A-law, 8000 Hz, mono,
/// written as sox writes it (fmt 18 + fact + data). Channels are averaged, the rate is changed with
/// <see cref="SampleRateConverter"/>, and the input is read in blocks, so memory stays near the size of the output
/// (four times that when normalising, which needs the whole signal before it can choose a gain).
/// </summary>
public static class AudioConverter
{
    private const int BlockFrames = 64 * 1024;

    public static ConversionResult ConvertToPrompt(Stream input, Stream output) => ConvertToPrompt(input, output, PromptConversion.FormatOnly);

    /// <exception cref="UnsupportedAudioException">The input cannot be converted, or has no speech to normalise.</exception>
    public static ConversionResult ConvertToPrompt(Stream input, Stream output, PromptConversion conversion)
    {
        if (!WaveDecoder.TryOpen(input, out var decoder, out var reason))
        {
            throw new UnsupportedAudioException(reason!);
        }

        var rate = decoder!.SampleRate;
        var resampler = rate == WaveValidator.RequiredSampleRate ? null : new SampleRateConverter(rate, WaveValidator.RequiredSampleRate);
        // The header's length is a claim (a streaming writer's, a truncated file's): it only sizes the first buffer, and
        // never past what the input holds or the bound allows. The bound itself is kept as samples come.
        var frames = decoder.FrameCount ?? (1 << 16);
        frames = input.CanSeek ? Math.Min(frames, input.Length - input.Position) : frames;
        var expected = (int)Math.Min(Math.Min(frames * WaveValidator.RequiredSampleRate / rate + 16, conversion.MaxSamples + 16 ?? long.MaxValue), 1 << 28);
        long emitted = 0;
        using var codes = new MemoryStream(conversion.NormalizeToDbov is null ? expected : 0);
        var signal = conversion.NormalizeToDbov is null ? null : new List<float>(expected);
        var mono = new float[BlockFrames];
        var resampled = new float[resampler?.MaxOutput(BlockFrames) + 16 ?? BlockFrames];
        var encoded = new byte[resampled.Length];
        int read;
        while ((read = decoder.Read(mono)) > 0)
        {
            if (resampler is null)
            {
                Emit(mono.AsSpan(0, read));
            }
            else
            {
                EnsureRoom(resampler.MaxOutput(read));
                Emit(resampled.AsSpan(0, resampler.Process(mono.AsSpan(0, read), resampled)));
            }
        }

        if (resampler is not null)
        {
            EnsureRoom(resampler.MaxOutput(0));
            Emit(resampled.AsSpan(0, resampler.Flush(resampled)));
        }

        if (signal is not null)
        {
            var (normalized, normalization) = LevelNormalizer.Normalize(CollectionsMarshal.AsSpan(signal), conversion.NormalizeToDbov!.Value, conversion.Pad);
            WaveWriter.WriteALaw(output, normalized);
            return new ConversionResult(decoder.Format, normalized.Length, normalization);
        }

        var samples = codes.GetBuffer().AsSpan(0, (int)codes.Length);
        WaveWriter.WriteALaw(output, samples);
        return new ConversionResult(decoder.Format, samples.Length);

        void Emit(ReadOnlySpan<float> block)
        {
            emitted += block.Length;
            if (emitted > conversion.MaxSamples)
            {
                throw new PromptTooLongException(conversion.MaxSamples.Value);
            }

            if (signal is not null)
            {
                signal.AddRange(block);
                return;
            }

            if (encoded.Length < block.Length)
            {
                encoded = new byte[block.Length];
            }

            G711.ALawEncode(block, encoded);
            codes.Write(encoded, 0, block.Length);
        }

        void EnsureRoom(int outputs)
        {
            if (resampled.Length < outputs)
            {
                resampled = new float[outputs];
            }
        }
    }
}
