using System.Runtime.CompilerServices;

namespace Ccfs.Audio.Quality;

/// <summary>
/// P.56's activity count for each of its 15 thresholds: the samples at which the envelope reaches the threshold, and
/// the hangover of up to 0.2 s after each. Checking every threshold at every sample is what makes a naive meter slow,
/// yet the envelope is smooth and the number of thresholds it reaches changes about once in 500 samples. So the count
/// is kept lazily: only a change of that number touches the thresholds between the old and the new, closing or opening
/// their runs; the hangover of a gap is settled when the next run opens or the signal ends.
/// </summary>
internal struct ThresholdActivity
{
    private Counts _active;     // samples counted so far
    private Counts _runStart;   // where the current run began, for thresholds below Reached
    private Counts _lastReached; // the last sample of the last finished run, or -1
    private Counts _firstReached; // or -1
    private long _end;

    public ThresholdActivity()
    {
        ((Span<long>)_lastReached).Fill(-1);
        ((Span<long>)_firstReached).Fill(-1);
    }

    /// <summary>How many thresholds the envelope reached at the last sample reported.</summary>
    public int Reached { get; private set; }

    /// <summary>At <paramref name="sample"/> the envelope reaches <paramref name="reached"/> thresholds, a different number than before.</summary>
    public void Change(long sample, int reached)
    {
        for (var j = Reached; j < reached; j++)
        {
            if (_lastReached[j] >= 0)
            {
                _active[j] += Math.Min(sample - 1 - _lastReached[j], P56.HangoverSamples);
            }
            else
            {
                _firstReached[j] = sample;
            }

            _runStart[j] = sample;
        }

        for (var j = reached; j < Reached; j++)
        {
            _active[j] += sample - _runStart[j];
            _lastReached[j] = sample - 1;
        }

        Reached = reached;
    }

    /// <summary>Closes the open runs and the last hangovers at the end of a signal of <paramref name="samples"/>.</summary>
    public void End(long samples)
    {
        Change(samples, 0);
        for (var j = 0; j < P56.ThresholdCount; j++)
        {
            if (_lastReached[j] >= 0)
            {
                _active[j] += Math.Min(samples - 1 - _lastReached[j], P56.HangoverSamples);
            }
        }

        _end = samples;
    }

    /// <summary>Active samples at threshold j, once <see cref="End"/> was called.</summary>
    public readonly long Active(int j) => _active[j];

    /// <summary>The first sample at which the envelope reached threshold j, or -1.</summary>
    public readonly long FirstReached(int j) => _firstReached[j];

    /// <summary>The last active sample at threshold j (its last sample reached plus the hangover), or -1.</summary>
    public readonly long LastActive(int j) => _lastReached[j] < 0 ? -1 : Math.Min(_lastReached[j] + P56.HangoverSamples, _end - 1);

    [InlineArray(P56.ThresholdCount)]
    private struct Counts
    {
        private long _first;
    }
}
