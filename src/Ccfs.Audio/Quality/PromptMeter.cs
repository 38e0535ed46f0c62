using System.Buffers.Binary;
using System.Runtime.Intrinsics;

namespace Ccfs.Audio.Quality;

/// <summary>
/// One walk over a prompt's samples that gathers everything <see cref="PromptMeasurement"/> holds, a quarter of a
/// second at a time: while a chunk sits in the first-level cache it feeds the clipped runs, the peak, P.56's envelope
/// and activity, the sums and the 10 ms frames. The envelope reads 8-bit codes through their encoding's table itself;
/// 16-bit samples are decoded into a buffer on the stack first. Nothing grows with the length of the prompt.
/// </summary>
internal struct PromptMeter
{
    /// <summary>A quarter of a second: whole 10 ms frames and whole envelope blocks.</summary>
    private const int ChunkLength = 25 * FrameLevels.FrameLength;

    private P56Envelope _envelope;
    private ThresholdActivity _activity;
    private FrameLevels _frames;
    private ClippedRuns _clipped;
    private long _samples;
    private long _sum;
    private long _sumOfSquares;
    private float _peak;

    private PromptMeter(int lowest, int highest, bool vectorized)
    {
        _envelope = new P56Envelope(vectorized);
        _activity = new ThresholdActivity();
        _clipped = new ClippedRuns(lowest, highest);
    }

    /// <summary>Whether the envelope uses 256-bit vectors; tests also run it without.</summary>
    public static bool VectorizedByDefault => Vector256.IsHardwareAccelerated;

    /// <summary>Measures samples in an 8-bit encoding, one byte each.</summary>
    public static PromptMeasurement Measure(ReadOnlySpan<byte> codes, SampleCodes encoding, bool vectorized)
    {
        var meter = new PromptMeter(encoding.LowestCode, encoding.HighestCode, vectorized);
        Span<long> blockSums = stackalloc long[ChunkLength / P56Envelope.BlockLength];
        for (var start = 0; start < codes.Length; start += ChunkLength)
        {
            meter.AddCodes(codes.Slice(start, Math.Min(ChunkLength, codes.Length - start)), encoding, blockSums);
        }

        return meter.Finish();
    }

    /// <summary>Measures 16-bit little-endian linear PCM, two bytes a sample (an odd last byte is not a sample).</summary>
    public static PromptMeasurement MeasurePcm16(ReadOnlySpan<byte> data, bool vectorized)
    {
        var meter = new PromptMeter(short.MinValue, short.MaxValue, vectorized);
        Span<float> chunk = stackalloc float[ChunkLength];
        var samples = data.Length / 2;
        for (var start = 0; start < samples; start += ChunkLength)
        {
            var length = Math.Min(ChunkLength, samples - start);
            meter.DecodePcm16(data.Slice(2 * start, 2 * length), chunk);
            meter.AddDecoded(chunk, length);
        }

        return meter.Finish();
    }

    /// <summary>
    /// The next codes of an 8-bit signal. The envelope looks their magnitudes up itself, in whole blocks, and sums each
    /// block on the way; a last part block is decoded and padded with silence.
    /// </summary>
    private void AddCodes(ReadOnlySpan<byte> codes, SampleCodes encoding, Span<long> blockSums)
    {
        _clipped.Add(codes);
        _peak = Math.Max(_peak, encoding.PeakMagnitude(codes));
        var whole = codes.Length - (codes.Length % P56Envelope.BlockLength);
        Follow(new CodeMagnitudes(codes[..whole], encoding, blockSums), whole);
        if (whole < codes.Length)
        {
            blockSums[whole / P56Envelope.BlockLength] = FollowLastBlock(codes[whole..], encoding);
        }

        AddFrames(blockSums[..((codes.Length + P56Envelope.BlockLength - 1) / P56Envelope.BlockLength)], codes.Length);
    }

    /// <summary>The last few codes, fewer than a block: decoded, padded with silence, followed; returns their packed sum.</summary>
    private long FollowLastBlock(ReadOnlySpan<byte> codes, SampleCodes encoding)
    {
        Span<float> magnitudes = stackalloc float[P56Envelope.BlockLength];
        long sum = 0;
        for (var i = 0; i < codes.Length; i++)
        {
            magnitudes[i] = encoding.Magnitudes[codes[i]];
            sum += encoding.Sums[codes[i]];
        }

        Follow(new DecodedMagnitudes(magnitudes), codes.Length);
        return sum;
    }

    /// <summary>The frames of a part of an 8-bit signal, from its blocks' packed sums.</summary>
    private void AddFrames(ReadOnlySpan<long> blockSums, int length)
    {
        const int blocksPerFrame = FrameLevels.FrameLength / P56Envelope.BlockLength;
        for (var block = 0; block < blockSums.Length; block += blocksPerFrame)
        {
            long packed = 0;
            foreach (var sum in blockSums.Slice(block, Math.Min(blocksPerFrame, blockSums.Length - block)))
            {
                packed += sum;
            }

            var frameLength = Math.Min(FrameLevels.FrameLength, length - (block * P56Envelope.BlockLength));
            AddFrame(frameLength, SampleCodes.SampleSum(packed), SampleCodes.SquareSum(packed));
        }
    }

    /// <summary>Decodes 16-bit samples into <paramref name="chunk"/> as magnitudes, summing their frames and finding clipped runs.</summary>
    private void DecodePcm16(ReadOnlySpan<byte> pcm, Span<float> chunk)
    {
        var samples = pcm.Length / 2;
        for (var start = 0; start < samples; start += FrameLevels.FrameLength)
        {
            var length = Math.Min(FrameLevels.FrameLength, samples - start);
            long sum = 0;
            long squares = 0;
            for (var i = start; i < start + length; i++)
            {
                var sample = BinaryPrimitives.ReadInt16LittleEndian(pcm.Slice(2 * i, 2));
                sum += sample;
                squares += sample * sample;
                chunk[i] = Math.Abs((int)sample);
                _clipped.Add(sample);
            }

            AddFrame(length, sum, squares);
        }
    }

    private void AddFrame(int length, long sum, long squares)
    {
        _sum += sum;
        _sumOfSquares += squares;
        if (length == FrameLevels.FrameLength)
        {
            _frames.Add(squares);
        }
    }

    /// <summary>The magnitudes of the next <paramref name="length"/> samples, at the start of <paramref name="chunk"/>.</summary>
    private void AddDecoded(Span<float> chunk, int length)
    {
        // The envelope reads whole blocks: pad the last with silence, which changes none of the samples before it.
        var blocks = (length + P56Envelope.BlockLength - 1) / P56Envelope.BlockLength * P56Envelope.BlockLength;
        chunk[length..blocks].Clear();
        var magnitudes = chunk[..blocks];
        _peak = Math.Max(_peak, Peak(magnitudes));
        Follow(new DecodedMagnitudes(magnitudes), length);
    }

    private static float Peak(ReadOnlySpan<float> magnitudes)
    {
        var peaks = Vector256<float>.Zero;
        for (var i = 0; i < magnitudes.Length; i += Vector256<float>.Count)
        {
            peaks = Vector256.Max(peaks, Vector256.Create(magnitudes.Slice(i, Vector256<float>.Count)));
        }

        var peak = 0f;
        for (var lane = 0; lane < Vector256<float>.Count; lane++)
        {
            peak = Math.Max(peak, peaks[lane]);
        }

        return peak;
    }

    /// <summary>
    /// Runs the envelope over the chunk and tells the activity count each sample at which the number of thresholds
    /// reached changes. The envelope stops only at blocks that leave the current band between two thresholds.
    /// </summary>
    private void Follow<TInput>(scoped in TInput magnitudes, int length)
        where TInput : IEnvelopeInput, allows ref struct
    {
        for (var at = 0; ; at += P56Envelope.BlockLength)
        {
            var reached = _activity.Reached;
            var low = reached == 0 ? float.NegativeInfinity : MathF.ScaleB(1, reached - 1);
            var high = reached == P56.ThresholdCount ? float.PositiveInfinity : MathF.ScaleB(1, reached);
            at = _envelope.ScanWhileInside(magnitudes, at, low, high);
            if (at >= magnitudes.Length)
            {
                _samples += length;
                return;
            }

            var block = _envelope.LastBlock;
            for (var lane = 0; lane < P56Envelope.BlockLength && at + lane < length; lane++)
            {
                var now = P56.ThresholdsReached(block[lane]);
                if (now != _activity.Reached)
                {
                    _activity.Change(_samples + at + lane, now);
                }
            }
        }
    }

    private PromptMeasurement Finish()
    {
        _activity.End(_samples);
        _clipped.EndRun();
        Span<long> active = stackalloc long[P56.ThresholdCount];
        for (var j = 0; j < active.Length; j++)
        {
            active[j] = _activity.Active(j);
        }

        var found = ActiveSpeechLevel.Find(_sumOfSquares, active);
        var speech = found is { } f && f.LevelDbov >= PromptAnalyzer.SpeechFloorDbov ? found : null;
        var (head, tail) = (_samples, _samples);
        var activity = 0.0;
        if (speech is { } s)
        {
            activity = Math.Pow(10, (ActiveSpeechLevel.PowerDbov(_sumOfSquares, _samples) - s.LevelDbov) / 10);
            var decision = DecisionThreshold(s.LevelDbov, s.Threshold);
            head = _activity.FirstReached(decision);
            tail = _samples - 1 - _activity.LastActive(decision);
        }

        return new PromptMeasurement(
            _samples,
            speech?.LevelDbov,
            activity,
            Dbov.OfAmplitude(_peak),
            _clipped.Runs,
            _samples == 0 ? 0 : (double)_clipped.Samples / _samples,
            _samples == 0 ? 0 : _sum / (double)_samples / P56.FullScale,
            PromptMeasurement.SampleTime(head),
            PromptMeasurement.SampleTime(tail),
            _frames.QuietestTenthDbov());
    }

    /// <summary>
    /// The threshold whose activity decides where speech starts and ends: the one nearest to P.56's own, the margin
    /// below the level, and never above the highest threshold the signal reached.
    /// </summary>
    private static int DecisionThreshold(double levelDbov, int upper)
    {
        var steps = (levelDbov - P56.MarginDb - P56.ThresholdDbov(0)) / (P56.ThresholdDbov(1) - P56.ThresholdDbov(0));
        return Math.Clamp((int)Math.Round(steps), 0, upper);
    }
}
