namespace Ccfs.Audio;

/// <summary>
/// Converts a sample rate with the output's band kept whole: flat to 90 % of the lower Nyquist frequency, 90 dB down
/// at it. Going down by a large factor, a first stage decimates by an integer (cheap, since its transition band can be
/// wide) and a second does the rational step, which costs well under half of doing it in one stage.
/// </summary>
public sealed class SampleRateConverter
{
    private const double PassbandShare = 0.45;
    private const double FirstStageHeadroom = 1.25;

    private readonly PolyphaseResampler? _first;
    private readonly PolyphaseResampler _last;
    private readonly int _inputRate;
    private readonly int _outputRate;
    private float[] _between = [];
    private long _inputs;
    private long _outputs;

    public SampleRateConverter(int inputRate, int outputRate)
    {
        _inputRate = inputRate;
        _outputRate = outputRate;
        var lower = Math.Min(inputRate, outputRate);
        var nyquist = lower / 2.0;
        var factor = FirstStageFactor(inputRate, outputRate);
        if (factor > 1)
        {
            // Keep the output band intact; only what would alias into it must be gone after decimating.
            var middle = inputRate / factor;
            _first = new PolyphaseResampler(inputRate, middle, outputRate / 2.0, middle - (outputRate / 2.0));
            _last = new PolyphaseResampler(middle, outputRate, PassbandShare * outputRate, outputRate / 2.0);
        }
        else
        {
            _last = new PolyphaseResampler(inputRate, outputRate, PassbandShare * 2 * nyquist, nyquist);
        }
    }

    /// <summary>How many filter stages the conversion uses.</summary>
    public int Stages => _first is null ? 1 : 2;

    public int MaxOutput(int inputs) =>
        _first is null ? _last.MaxOutput(inputs) : _last.MaxOutput(_first.MaxOutput(inputs));

    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        _inputs += input.Length;
        int produced;
        if (_first is null)
        {
            produced = _last.Process(input, output);
        }
        else
        {
            var between = Between(_first.MaxOutput(input.Length));
            produced = _last.Process(between[.._first.Process(input, between)], output);
        }

        _outputs += produced;
        return produced;
    }

    /// <summary>The last outputs; in all, one per output instant inside the input, as one stage would give.</summary>
    public int Flush(Span<float> output)
    {
        int produced;
        if (_first is null)
        {
            produced = _last.Flush(output);
        }
        else
        {
            var between = Between(_first.MaxOutput(0));
            produced = _last.Process(between[.._first.Flush(between)], output);
            produced += _last.Flush(output[produced..]);
        }

        // Two stages round their lengths up twice; keep the count of the overall ratio.
        var total = ((_inputs * _outputRate) + _inputRate - 1) / _inputRate;
        produced = (int)Math.Clamp(total - _outputs, 0, produced);
        _outputs += produced;
        return produced;
    }

    /// <summary>The largest integer D that divides the input rate and leaves at least 1.25× the output rate.</summary>
    private static int FirstStageFactor(int inputRate, int outputRate)
    {
        for (var factor = inputRate / (int)Math.Ceiling(FirstStageHeadroom * outputRate); factor >= 2; factor--)
        {
            if (inputRate % factor == 0)
            {
                return factor;
            }
        }

        return 1;
    }

    private Span<float> Between(int length)
    {
        if (_between.Length < length)
        {
            _between = new float[length];
        }

        return _between.AsSpan(0, length);
    }
}
