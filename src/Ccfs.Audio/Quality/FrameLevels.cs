using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ccfs.Audio.Quality;

/// <summary>
/// The noise floor: the mean power of the quietest 10 % of 10 ms frames. Frames go into a histogram of their energy
/// (eight bins per doubling, each keeping its frames' exact sum), so memory stays the same whatever the length and
/// only the one bin that straddles the 10 % mark is taken in part, at its mean: exact to within a bin, 0.38 dB.
/// </summary>
internal struct FrameLevels
{
    public const int FrameLength = P56.SampleRate / 100;

    private const int BinsPerDoubling = 8;

    // Bin 0 holds silent frames; a frame's energy is below 80 · 2^30 < 2^37.
    private const int BinCount = 1 + (BinsPerDoubling * 37);

    private Bins<int> _frames;
    private Bins<long> _energy;

    public long Frames { get; private set; }

    /// <summary>Adds one frame of <see cref="FrameLength"/> samples whose squares (16-bit units) sum to <paramref name="energy"/>.</summary>
    public void Add(long energy)
    {
        var bin = 0;
        if (energy > 0)
        {
            var doublings = BitOperations.Log2((ulong)energy);
            var fraction = (int)(((ulong)energy << (63 - doublings)) >> 60) & (BinsPerDoubling - 1);
            bin = 1 + (BinsPerDoubling * doublings) + fraction;
        }

        _frames[bin]++;
        _energy[bin] += energy;
        Frames++;
    }

    /// <summary>The mean power of the quietest tenth of the frames (at least one), in dBov; null without a whole frame.</summary>
    public readonly double? QuietestTenthDbov()
    {
        if (Frames == 0)
        {
            return null;
        }

        var wanted = (Frames + 9) / 10;
        var remaining = wanted;
        var energy = 0.0;
        for (var bin = 0; bin < BinCount && remaining > 0; bin++)
        {
            var taken = Math.Min(remaining, _frames[bin]);
            energy += taken == _frames[bin] ? _energy[bin] : (double)_energy[bin] * taken / _frames[bin];
            remaining -= taken;
        }

        return Dbov.OfPower(energy / (wanted * FrameLength));
    }

    [InlineArray(BinCount)]
    private struct Bins<T>
    {
        private T _first;
    }
}
