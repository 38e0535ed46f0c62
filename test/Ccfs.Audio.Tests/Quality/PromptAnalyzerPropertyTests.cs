using System.Buffers.Binary;
using Ccfs.Audio.Quality;
using CsCheck;

namespace Ccfs.Audio.Tests.Quality;

/// <summary>Random prompts: the analysis answers every one, within its ranges, reading the data chunk and nothing past it.</summary>
public sealed class PromptAnalyzerPropertyTests
{
    private const ushort Pcm16Tag = 0xFFFF;

    private static readonly (ushort Tag, WaveEncodings Encoding)[] Encodings =
        [(WaveFormat.ALaw, WaveEncodings.ALaw), (WaveFormat.MuLaw, WaveEncodings.MuLaw), (WaveFormat.Pcm, WaveEncodings.Pcm8), (Pcm16Tag, WaveEncodings.None)];

    /// <summary>Runs of what prompts hold: random codes, one code held (silence, an extreme, an offset), and loud or quiet tones.</summary>
    private static readonly Gen<byte[]> Bytes = Gen.OneOf(
            Gen.Byte.Array[0, 3000],
            Gen.Select(Gen.Byte, Gen.Int[0, 5000], (code, length) => Enumerable.Repeat(code, length).ToArray()),
            Gen.Select(Gen.Double[0, 1], Gen.Int[0, 5000], Gen.Int[1, 50], (level, length, period) =>
                Enumerable.Range(0, length).Select(i => (byte)(128 + (127 * level * Math.Sin(2 * Math.PI * i / period)))).ToArray()))
        .Array[0, 8]
        .Select(runs => runs.SelectMany(r => r).ToArray());

    private static readonly Gen<(int Encoding, byte[] Data)> Prompts = Gen.Select(Gen.Int[0, Encodings.Length - 1], Bytes);

    [Fact]
    public void Any_data_in_any_encoding_is_measured_never_thrown()
    {
        Prompts.Sample((encoding, data) => AssertWithinRanges(Measure(encoding, data), data, encoding));
    }

    [Fact]
    public void On_the_same_envelope_the_level_and_activity_are_those_of_the_plain_per_threshold_count()
    {
        Gen.Select(Gen.Int[0, 2], Bytes).Sample((encoding, data) =>
        {
            var codes = SampleCodes.For(Encodings[encoding].Encoding);
            var magnitudes = data.Select(c => codes.Magnitudes[c]).Concat(new float[(8 - (data.Length % 8)) % 8]).ToArray();
            var envelope = P56EnvelopeTests.Trace(magnitudes, vectorized: true).Take(data.Length).Select(q => (double)q).ToArray();

            var plain = NaiveSpeechVoltmeter.Level(Decode(encoding, data), envelope);
            var measured = PromptMeter.Measure(data, codes, vectorized: true);

            if (plain is not { Level: >= PromptAnalyzer.SpeechFloorDbov } speech)
            {
                Assert.Null(measured.ActiveLevelDbov);
                return;
            }

            Assert.Equal(speech.Level, measured.ActiveLevelDbov!.Value, 1e-9);
            Assert.Equal(speech.Activity, measured.ActivityFactor, 1e-12);
        }, iter: 300);
    }

    [Fact]
    public void The_offset_peak_clipping_and_noise_floor_are_those_computed_the_plain_way()
    {
        Prompts.Sample((encoding, data) =>
        {
            var samples = Decode(encoding, data);

            var measured = Measure(encoding, data);

            Assert.Equal(samples.Length == 0 ? 0 : samples.Average() / 32768, measured.DcOffset, 1e-12);
            Assert.Equal(samples.Length == 0 ? -100 : Math.Max(-100, 20 * Math.Log10(samples.Max(Math.Abs) / 32768)), measured.PeakDbov, 1e-9);
            Assert.Equal(ClippedRuns(samples, encoding), (measured.ClippedRuns, measured.ClippedFraction * samples.Length), new ApproximatePair());
            if (samples.Length >= 80)
            {
                var frames = samples.Chunk(80).Where(f => f.Length == 80).Select(f => f.Sum(x => x * x) / 80).Order().ToList();
                var quietest = frames.Take((frames.Count + 9) / 10).Average();
                // The frames are kept as a histogram, eight bins to a doubling of energy: the one bin that holds frames on
                // both sides of the tenth is taken at its mean, so the floor is exact to within a bin, 0.38 dB.
                Assert.Equal(Math.Max(-100, 10 * Math.Log10(quietest / (32768.0 * 32768.0))), measured.NoiseFloorDbov!.Value, 0.38);
            }
        });
    }

    [Fact]
    public void A_file_is_measured_on_its_data_chunk_and_nothing_after_it()
    {
        // Valid files: the validator refuses an empty data chunk.
        Gen.Select(Prompts.Where(p => DataLength(p.Encoding, p.Data) > 0), Gen.Byte.Array[0, 64]).Sample((prompt, trailer) =>
        {
            var (encoding, data) = prompt;
            var wav = Wav(Encodings[encoding].Tag, data, trailer);

            var inFile = PromptAnalyzer.MeasureFile(wav);

            // The data alone, in an array of exactly its length: reading past it would throw, and bytes after it in the
            // file would change the measurement.
            Assert.Equal(Measure(encoding, data[..DataLength(encoding, data)]), inFile);
        });
    }

    [Fact]
    public void The_measurement_does_not_depend_on_the_vector_width()
    {
        Gen.Select(Gen.Int[0, 2], Bytes).Sample((encoding, data) =>
        {
            var codes = SampleCodes.For(Encodings[encoding].Encoding);
            var vectors = PromptMeter.Measure(data, codes, vectorized: true);
            var scalar = PromptMeter.Measure(data, codes, vectorized: false);

            Assert.Equal(vectors.ActiveLevelDbov is null, scalar.ActiveLevelDbov is null);
            Assert.Equal(vectors.ActiveLevelDbov ?? 0, scalar.ActiveLevelDbov ?? 0, 0.6);
            Assert.Equal(vectors with { ActiveLevelDbov = 0, ActivityFactor = 0, HeadSilence = default, TailSilence = default },
                scalar with { ActiveLevelDbov = 0, ActivityFactor = 0, HeadSilence = default, TailSilence = default });
        }, iter: 300);
    }

    private static PromptMeasurement Measure(int encoding, byte[] data) => Encodings[encoding].Tag == Pcm16Tag
        ? PromptAnalyzer.MeasurePcm16(data)
        : PromptAnalyzer.Measure(data, Encodings[encoding].Encoding);

    private static double[] Decode(int encoding, byte[] data) => Encodings[encoding].Encoding switch
    {
        WaveEncodings.ALaw => [.. data.Select(c => (double)G711.ALawDecode(c))],
        WaveEncodings.MuLaw => [.. data.Select(c => (double)G711.MuLawDecode(c))],
        WaveEncodings.Pcm8 => [.. data.Select(c => (double)((c - 128) * 256))],
        _ => [.. Enumerable.Range(0, data.Length / 2).Select(i => (double)BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(2 * i)))],
    };

    /// <summary>Runs of three or more equal samples at the encoding's lowest or highest value, and the samples in them.</summary>
    private static (long Runs, double Samples) ClippedRuns(double[] samples, int encoding)
    {
        var (lowest, highest) = Encodings[encoding].Tag == Pcm16Tag ? (-32768.0, 32767.0) : Extremes(Encodings[encoding].Encoding);
        long runs = 0;
        var inRuns = 0;
        for (var i = 0; i < samples.Length;)
        {
            var j = i;
            while (j < samples.Length && samples[j] == samples[i])
            {
                j++;
            }

            if (j - i >= 3 && (samples[i] == lowest || samples[i] == highest))
            {
                runs++;
                inRuns += j - i;
            }

            i = j;
        }

        return (runs, inRuns);
    }

    private static (double Lowest, double Highest) Extremes(WaveEncodings encoding)
    {
        var all = Decode(Array.FindIndex(Encodings, e => e.Encoding == encoding), [.. Enumerable.Range(0, 256).Select(c => (byte)c)]);
        return (all.Min(), all.Max());
    }

    private sealed class ApproximatePair : IEqualityComparer<(long, double)>
    {
        public bool Equals((long, double) x, (long, double) y) => x.Item1 == y.Item1 && Math.Abs(x.Item2 - y.Item2) < 1e-6;

        public int GetHashCode((long, double) obj) => obj.Item1.GetHashCode();
    }

    private static int DataLength(int encoding, byte[] data) => Encodings[encoding].Tag == Pcm16Tag ? data.Length & ~1 : data.Length;

    private static void AssertWithinRanges(PromptMeasurement m, byte[] data, int encoding)
    {
        Assert.Equal(Encodings[encoding].Tag == Pcm16Tag ? data.Length / 2 : data.Length, m.Samples);
        Assert.InRange(m.ActivityFactor, 0, 1);
        // P.56 divides the energy of all samples by the active ones, so in odd signals the level passes 0 dBov.
        Assert.True(m.ActiveLevelDbov is null || (m.ActiveLevelDbov >= PromptAnalyzer.SpeechFloorDbov && double.IsFinite(m.ActiveLevelDbov.Value)),
            $"level {m.ActiveLevelDbov}");
        Assert.Equal(m.ActiveLevelDbov is null, m.ActivityFactor == 0);
        Assert.InRange(m.PeakDbov, -100, 0);
        Assert.InRange(m.ClippedFraction, 0, 1);
        Assert.InRange(m.DcOffset, -1, 1);
        Assert.True(m.HeadSilence + m.TailSilence <= m.Duration || !m.HasSpeech, $"{m.HeadSilence} + {m.TailSilence} > {m.Duration}");
        Assert.Equal(m.Samples < 80, m.NoiseFloorDbov is null);
    }

    /// <summary>A mono 8000 Hz WAV of the data, then a chunk of other bytes.</summary>
    private static byte[] Wav(ushort tag, byte[] data, byte[] trailer)
    {
        var pcm16 = tag == Pcm16Tag;
        var length = pcm16 ? data.Length & ~1 : data.Length;
        var body = new List<byte>();
        body.AddRange("WAVEfmt "u8.ToArray());
        body.AddRange(UInt32(16));
        body.AddRange(UInt16(pcm16 ? WaveFormat.Pcm : tag));
        body.AddRange(UInt16(1));
        body.AddRange(UInt32(8000));
        body.AddRange(UInt32(pcm16 ? 16000u : 8000u));
        body.AddRange(UInt16(pcm16 ? (ushort)2 : (ushort)1));
        body.AddRange(UInt16(pcm16 ? (ushort)16 : (ushort)8));
        body.AddRange("data"u8.ToArray());
        body.AddRange(UInt32((uint)length));
        body.AddRange(data[..length]);
        if ((length & 1) == 1)
        {
            body.Add(0);
        }

        body.AddRange("junk"u8.ToArray());
        body.AddRange(UInt32((uint)trailer.Length));
        body.AddRange(trailer);
        if ((trailer.Length & 1) == 1)
        {
            body.Add(0);
        }

        return [.. "RIFF"u8.ToArray(), .. UInt32((uint)body.Count), .. body];
    }

    private static byte[] UInt32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] UInt16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return bytes;
    }
}
