namespace Ccfs.Audio.Quality;

/// <summary>
/// Measures a prompt and judges it (ITU-T P.56 active speech level and activity, peak and clipping, DC offset, silence
/// before and after the speech, noise floor) in one walk over its samples, with memory that does not grow with the
/// file: fast enough to run on every upload right after <see cref="WaveValidator"/>, on the data chunk it found.
/// What each measurement means and why the default thresholds are what they are: docs/prompt-quality.md.
/// </summary>
public static class PromptAnalyzer
{
    /// <summary>
    /// Below this, P.56's level is not speech. P.56 finds an "active level" in anything above the quantisation floor,
    /// even in the idle pattern of A-law silence (±8, measured −72 dBov); real speech sits tens of dB higher.
    /// </summary>
    public const double SpeechFloorDbov = -60;

    private const WaveEncodings EightBitEncodings = WaveEncodings.ALaw | WaveEncodings.MuLaw | WaveEncodings.Pcm8;

    /// <summary>Measures the samples of a data chunk in one of the 8-bit encodings, at 8000 Hz mono.</summary>
    /// <param name="data">The data chunk's body, as <see cref="WaveValidation.DataOffset"/> and <see cref="WaveValidation.DataLength"/> locate it.</param>
    /// <param name="encoding">The encoding the validator found.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="encoding"/> is not exactly one 8-bit encoding.</exception>
    public static PromptMeasurement Measure(ReadOnlySpan<byte> data, WaveEncodings encoding) =>
        PromptMeter.Measure(data, SampleCodes.For(encoding), PromptMeter.VectorizedByDefault);

    /// <summary>Measures the samples of a 16-bit little-endian linear PCM data chunk, at 8000 Hz mono.</summary>
    public static PromptMeasurement MeasurePcm16(ReadOnlySpan<byte> data) =>
        PromptMeter.MeasurePcm16(data, PromptMeter.VectorizedByDefault);

    /// <summary>
    /// Measures a whole WAV file that holds a prompt: 8000 Hz mono in A-law, mu-law, 8-bit or 16-bit linear PCM.
    /// </summary>
    /// <exception cref="UnsupportedAudioException">The file is not such a WAV; the message says why.</exception>
    public static PromptMeasurement MeasureFile(ReadOnlySpan<byte> wav)
    {
        var validation = WaveValidator.Validate(wav, EightBitEncodings);
        if (validation.IsValid)
        {
            return Measure(wav.Slice((int)validation.DataOffset, (int)validation.DataLength), validation.Encoding);
        }

        return Pcm16Prompt.TryFindData(wav, out var data)
            ? MeasurePcm16(data)
            : throw new UnsupportedAudioException(validation.Reason!);
    }

    /// <summary><see cref="Measure"/>, then each check under <paramref name="thresholds"/> (the defaults when null).</summary>
    public static PromptReport Analyze(ReadOnlySpan<byte> data, WaveEncodings encoding, PromptThresholds? thresholds = null) =>
        PromptReport.Judge(Measure(data, encoding), thresholds ?? PromptThresholds.Default);

    /// <summary><see cref="MeasureFile"/>, then each check under <paramref name="thresholds"/> (the defaults when null).</summary>
    /// <exception cref="UnsupportedAudioException">The file is not a prompt WAV; the message says why.</exception>
    public static PromptReport AnalyzeFile(ReadOnlySpan<byte> wav, PromptThresholds? thresholds = null) =>
        PromptReport.Judge(MeasureFile(wav), thresholds ?? PromptThresholds.Default);
}
