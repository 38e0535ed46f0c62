using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ccfs.Audio;

/// <summary>
/// One stage of band-limited sample-rate conversion: a polyphase FIR filter, a Kaiser-windowed sinc with the given
/// pass and stop band edges, centred on each output instant so the output has no delay. Each output sample is one
/// contiguous dot product over the input. Rates in a ratio L/M with L up to 4096 are exact; beyond that the output
/// instants are rounded to 1/4096 of an input sample. Feed it blocks with <see cref="Process"/> and finish with
/// <see cref="Flush"/>. <see cref="SampleRateConverter"/> chains stages.
/// </summary>
public sealed class PolyphaseResampler
{
    private const int MaxPhases = 4096;
    private const double StopbandDb = 90;

    private readonly long _step;      // M: input samples per L output samples
    private readonly long _phases;    // L
    private readonly int _phaseCount; // phases actually tabulated (L, or MaxPhases)
    private readonly int _halfWidth;  // H: taps either side of the output instant, in input samples
    private readonly float[] _coefficients;
    private float[] _buffer;
    private long _bufferStart;        // input index of _buffer[0]; negative while the leading zeros are in it
    private int _bufferLength;
    private long _inputCount;
    private long _outputIndex;
    private long _center;             // input index at or before the next output instant
    private long _phase;              // that instant's offset after _center, in 1/L of an input sample

    /// <param name="inputRate">Input samples per second.</param>
    /// <param name="outputRate">Output samples per second.</param>
    /// <param name="passbandHz">Where the pass band ends.</param>
    /// <param name="stopbandHz">Where the stop band (90 dB down) starts.</param>
    public PolyphaseResampler(int inputRate, int outputRate, double passbandHz, double stopbandHz)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputRate, 1);
        var divisor = Gcd(inputRate, outputRate);
        _phases = outputRate / divisor;
        _step = inputRate / divisor;
        _phaseCount = (int)Math.Min(_phases, MaxPhases);

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(passbandHz, stopbandHz);
        var cutoff = (passbandHz + stopbandHz) / 2 / inputRate;  // cycles per input sample
        var transition = (stopbandHz - passbandHz) / inputRate;
        var taps = (StopbandDb - 8) / (2.285 * 2 * Math.PI * transition);
        _halfWidth = Math.Max(2, (int)Math.Ceiling(taps / 2));
        var byPhase = Design(_phaseCount, _halfWidth, cutoff);
        _coefficients = _phaseCount == _phases ? InVisitOrder(byPhase, 2 * _halfWidth, _phaseCount, (int)(_step % _phases)) : byPhase;
        _buffer = new float[4 * _halfWidth + 4096];
        _bufferStart = -(_halfWidth - 1);
        _bufferLength = _halfWidth - 1;                         // leading zeros
    }

    /// <summary>Taps per output sample.</summary>
    public int TapCount => 2 * _halfWidth;

    /// <summary>The most outputs <see cref="Process"/> can produce for this many more inputs.</summary>
    public int MaxOutput(int inputs) => (int)(((_inputCount + inputs) * _phases / _step) - _outputIndex + 2);

    /// <summary>Takes more input and writes every output it now has enough input for; returns how many.</summary>
    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        Append(input);
        _inputCount += input.Length;
        return Produce(output, long.MaxValue);
    }

    /// <summary>Writes the outputs that remain once the input has ended (one per output instant inside the input).</summary>
    public int Flush(Span<float> output)
    {
        var total = (_inputCount * _phases + _step - 1) / _step;
        Append(new float[_halfWidth + 1]);
        return Produce(output, total);
    }

    // The hot loop of a conversion runs once per block; compile it optimised from the first call, not after tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Produce(Span<float> output, long limit)
    {
        var produced = 0;
        var taps = 2 * _halfWidth;
        var whole = _step / _phases;
        var part = _step % _phases;
        while (produced < output.Length && _outputIndex < limit)
        {
            var center = _center;
            var phase = (int)(_outputIndex % _phases);
            if (_phaseCount != _phases)
            {
                phase = (int)((_phase * _phaseCount + (_phases / 2)) / _phases);
                if (phase == _phaseCount)
                {
                    phase = 0;
                    center++;
                }
            }

            var first = center - _halfWidth + 1 - _bufferStart;
            if (first + taps > _bufferLength)
            {
                break;
            }

            var y = Dot(_buffer.AsSpan((int)first, taps), _coefficients.AsSpan(phase * taps, taps));
            output[produced++] = MathF.Abs(y) < 1e-20f ? 0 : y;
            _outputIndex++;
            _center += whole;
            _phase += part;
            if (_phase >= _phases)
            {
                _phase -= _phases;
                _center++;
            }
        }

        Compact();
        return produced;
    }

    /// <summary>
    /// The filter's dot product. Written out here rather than calling TensorPrimitives.Dot: inlined into the
    /// optimised loop it runs at full speed from the first block, while the library's generic code starts at tier 0,
    /// which doubled the time of a one-off conversion (docs/performance.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var i = 0;
        var n = a.Length;
        float sum;
        if (Vector512.IsHardwareAccelerated)
        {
            var s0 = Vector512<float>.Zero;
            var s1 = Vector512<float>.Zero;
            for (; i + 32 <= n; i += 32)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, (nuint)i), Vector512.LoadUnsafe(ref rb, (nuint)i), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, (nuint)(i + 16)), Vector512.LoadUnsafe(ref rb, (nuint)(i + 16)), s1);
            }

            for (; i + 16 <= n; i += 16)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref ra, (nuint)i), Vector512.LoadUnsafe(ref rb, (nuint)i), s0);
            }

            sum = Vector512.Sum(s0 + s1);
        }
        else
        {
            var s0 = Vector256<float>.Zero;
            var s1 = Vector256<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)i), Vector256.LoadUnsafe(ref rb, (nuint)i), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ra, (nuint)(i + 8)), Vector256.LoadUnsafe(ref rb, (nuint)(i + 8)), s1);
            }

            sum = Vector256.Sum(s0 + s1);
        }

        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private void Append(ReadOnlySpan<float> input)
    {
        if (_bufferLength + input.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _bufferLength + input.Length));
        }

        input.CopyTo(_buffer.AsSpan(_bufferLength));
        _bufferLength += input.Length;
    }

    /// <summary>Drops input no future output needs.</summary>
    private void Compact()
    {
        var needed = _center - _halfWidth;
        var drop = (int)Math.Clamp(needed - _bufferStart, 0, _bufferLength);
        if (drop == 0)
        {
            return;
        }

        _buffer.AsSpan(drop, _bufferLength - drop).CopyTo(_buffer);
        _bufferLength -= drop;
        _bufferStart += drop;
    }

    /// <summary>
    /// Output k uses phase (k·M) mod L. Storing the phases in that order turns the jumps through the table into a
    /// sequential walk, which the prefetcher follows: row r holds phase (r·M) mod L.
    /// </summary>
    private static float[] InVisitOrder(float[] byPhase, int taps, int phases, int step)
    {
        var ordered = new float[byPhase.Length];
        for (var row = 0; row < phases; row++)
        {
            var phase = (int)((long)row * step % phases);
            byPhase.AsSpan(phase * taps, taps).CopyTo(ordered.AsSpan(row * taps));
        }

        return ordered;
    }

    /// <summary>
    /// Coefficients per phase p, in input order: tap i weighs the input sample i - H + 1 after the one at or before
    /// the output instant, whose distance from the instant is d = p/phases + H - 1 - i. Each phase sums to 1.
    /// </summary>
    private static float[] Design(int phases, int halfWidth, double cutoff)
    {
        var taps = 2 * halfWidth;
        var beta = 0.1102 * (StopbandDb - 8.7);
        var norm = BesselI0(beta);
        var coefficients = new float[phases * taps];
        var phase = new double[taps];
        for (var p = 0; p < phases; p++)
        {
            var sum = 0.0;
            for (var i = 0; i < taps; i++)
            {
                var d = (double)p / phases + halfWidth - 1 - i;
                var u = d / halfWidth;
                var window = Math.Abs(u) >= 1 ? 0 : BesselI0(beta * Math.Sqrt(1 - (u * u))) / norm;
                var x = 2 * cutoff * d;
                phase[i] = 2 * cutoff * (x == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x)) * window;
                sum += phase[i];
            }

            for (var i = 0; i < taps; i++)
            {
                coefficients[(p * taps) + i] = (float)(phase[i] / sum);
            }
        }

        return coefficients;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, half = x / 2;
        for (var k = 1; k < 200 && term > 1e-12 * sum; k++)
        {
            term *= half / k * (half / k);
            sum += term;
        }

        return sum;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
