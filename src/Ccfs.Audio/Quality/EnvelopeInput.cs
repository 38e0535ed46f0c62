using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ccfs.Audio.Quality;

/// <summary>
/// Where <see cref="P56Envelope"/> reads its inputs, the magnitudes of the samples: decoded into a buffer, or looked up
/// straight from the codes of an 8-bit encoding, which spares writing them out and reading them back (and lets the
/// same pass over the codes sum them, in the time the envelope's arithmetic takes anyway).
/// </summary>
internal interface IEnvelopeInput
{
    /// <summary>How many samples there are; the envelope reads whole blocks, so a multiple of <see cref="P56Envelope.BlockLength"/>.</summary>
    int Length { get; }

    /// <summary>The magnitude of the sample at <paramref name="at"/>.</summary>
    float this[int at] { get; }

    /// <summary>The magnitudes of the eight samples from <paramref name="at"/>, each in every lane of its vector.</summary>
    void Broadcast(int at, out Vector256<float> x0, out Vector256<float> x1, out Vector256<float> x2, out Vector256<float> x3,
        out Vector256<float> x4, out Vector256<float> x5, out Vector256<float> x6, out Vector256<float> x7);

    /// <summary>The envelope has read the block at <paramref name="at"/>; once for each block, in order.</summary>
    void Passed(int at);
}

/// <summary>Magnitudes already decoded.</summary>
internal readonly ref struct DecodedMagnitudes(ReadOnlySpan<float> magnitudes) : IEnvelopeInput
{
    private readonly ReadOnlySpan<float> _magnitudes = magnitudes;

    public int Length => _magnitudes.Length;

    public float this[int at] => _magnitudes[at];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Broadcast(int at, out Vector256<float> x0, out Vector256<float> x1, out Vector256<float> x2, out Vector256<float> x3,
        out Vector256<float> x4, out Vector256<float> x5, out Vector256<float> x6, out Vector256<float> x7)
    {
        var x = _magnitudes.Slice(at, P56Envelope.BlockLength);
        (x0, x1, x2, x3) = (Vector256.Create(x[0]), Vector256.Create(x[1]), Vector256.Create(x[2]), Vector256.Create(x[3]));
        (x4, x5, x6, x7) = (Vector256.Create(x[4]), Vector256.Create(x[5]), Vector256.Create(x[6]), Vector256.Create(x[7]));
    }

    public void Passed(int at)
    {
    }
}

/// <summary>
/// The codes of an 8-bit encoding, looked up in its table of 256 magnitudes. As each block is passed, its samples and
/// their squares (<see cref="SampleCodes.Sums"/>, packed) are summed into <c>blockSums</c>, one entry per block.
/// </summary>
internal readonly ref struct CodeMagnitudes(ReadOnlySpan<byte> codes, SampleCodes encoding, Span<long> blockSums) : IEnvelopeInput
{
    private readonly ReadOnlySpan<byte> _codes = codes;
    private readonly Span<long> _blockSums = blockSums;

    // A code is a byte and the tables have 256 entries: every lookup is in range, so none is checked.
    private readonly ref float _table = ref MemoryMarshal.GetArrayDataReference(encoding.Magnitudes);
    private readonly ref long _sums = ref MemoryMarshal.GetArrayDataReference(encoding.Sums);

    public int Length => _codes.Length;

    public float this[int at] => Unsafe.Add(ref _table, _codes[at]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Broadcast(int at, out Vector256<float> x0, out Vector256<float> x1, out Vector256<float> x2, out Vector256<float> x3,
        out Vector256<float> x4, out Vector256<float> x5, out Vector256<float> x6, out Vector256<float> x7)
    {
        var c = _codes.Slice(at, P56Envelope.BlockLength);
        x0 = Vector256.Create(Unsafe.Add(ref _table, c[0]));
        x1 = Vector256.Create(Unsafe.Add(ref _table, c[1]));
        x2 = Vector256.Create(Unsafe.Add(ref _table, c[2]));
        x3 = Vector256.Create(Unsafe.Add(ref _table, c[3]));
        x4 = Vector256.Create(Unsafe.Add(ref _table, c[4]));
        x5 = Vector256.Create(Unsafe.Add(ref _table, c[5]));
        x6 = Vector256.Create(Unsafe.Add(ref _table, c[6]));
        x7 = Vector256.Create(Unsafe.Add(ref _table, c[7]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Passed(int at)
    {
        var c = _codes.Slice(at, P56Envelope.BlockLength);
        _blockSums[(int)((uint)at / P56Envelope.BlockLength)] = Unsafe.Add(ref _sums, c[0]) + Unsafe.Add(ref _sums, c[1]) + Unsafe.Add(ref _sums, c[2])
            + Unsafe.Add(ref _sums, c[3]) + Unsafe.Add(ref _sums, c[4]) + Unsafe.Add(ref _sums, c[5]) + Unsafe.Add(ref _sums, c[6])
            + Unsafe.Add(ref _sums, c[7]);
    }
}
