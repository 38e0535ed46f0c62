using BenchmarkDotNet.Attributes;
using Ccfs.Audio;
using Ccfs.Audio.Quality;

namespace Ccfs.Benchmarks;

/// <summary>
/// The prompt checks on a 5 MiB A-law prompt, the work they add to an upload: <see cref="Analyze"/> is what the server
/// runs after the validator, <see cref="Validate"/> the validator itself for scale. The prompt is either speech (the
/// lint prompts of test/data/audio/lint one after another) or random codes, whose envelope hardly ever crosses a
/// threshold.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class PromptAnalysisBenchmarks
{
    private byte[] _file = null!;
    private WaveValidation _validation;

    [Params(5 * 1024 * 1024)]
    public int FileBytes { get; set; }

    [Params("speech", "noise")]
    public string Content { get; set; } = "speech";

    [GlobalSetup]
    public void Setup()
    {
        var samples = new byte[FileBytes - WaveWriter.ALawHeaderLength];
        if (Content == "noise")
        {
            new Random(42).NextBytes(samples);
        }
        else
        {
            Fill(samples, LintPrompts());
        }

        _file = WaveWriter.ALaw(samples);
        _validation = WaveValidator.Validate(_file);
        if (!_validation.IsValid || Analyze().Measurement is not { Samples: > 0 })
        {
            throw new InvalidOperationException("the benchmark does not do what it claims");
        }
    }

    [Benchmark]
    public PromptReport Analyze() =>
        PromptAnalyzer.Analyze(_file.AsSpan((int)_validation.DataOffset, (int)_validation.DataLength), _validation.Encoding);

    [Benchmark(Baseline = true)]
    public bool Validate() => WaveValidator.Validate(_file).IsValid;

    private static void Fill(Span<byte> samples, IReadOnlyList<byte[]> prompts)
    {
        for (var at = 0; at < samples.Length;)
        {
            foreach (var prompt in prompts)
            {
                var part = prompt.AsSpan(0, Math.Min(prompt.Length, samples.Length - at));
                part.CopyTo(samples[at..]);
                at += part.Length;
            }
        }
    }

    /// <summary>The data chunks of the lint prompts, found from wherever BenchmarkDotNet runs this.</summary>
    private static List<byte[]> LintPrompts()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Ccfs.slnx")))
        {
            root = root.Parent;
        }

        var folder = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Ccfs.slnx not found"), "test", "data", "audio", "lint");
        return [.. Directory.GetFiles(folder, "*.wav").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).Select(wav =>
        {
            var validation = WaveValidator.Validate(wav);
            return wav.AsSpan((int)validation.DataOffset, (int)validation.DataLength).ToArray();
        })];
    }
}
