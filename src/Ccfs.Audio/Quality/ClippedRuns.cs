namespace Ccfs.Audio.Quality;

/// <summary>
/// Clipping as runs of consecutive samples at one of the format's two extreme values (for A-law the codes that decode
/// to ±32256). A single sample there is a loud peak the format can hold; three or more in a row are a waveform cut
/// flat. Runs carry over from one part of the signal to the next.
/// </summary>
internal struct ClippedRuns
{
    public const int MinimumRun = 3;

    private readonly int _lowest;
    private readonly int _highest;
    private int _runValue;
    private long _runLength;

    /// <param name="lowest">The lowest value: an 8-bit code, or a 16-bit sample.</param>
    /// <param name="highest">The highest.</param>
    public ClippedRuns(int lowest, int highest)
    {
        _lowest = lowest;
        _highest = highest;
    }

    /// <summary>Runs of at least <see cref="MinimumRun"/> samples.</summary>
    public long Runs { get; private set; }

    /// <summary>Samples in those runs.</summary>
    public long Samples { get; private set; }

    /// <summary>The next codes of an 8-bit signal; searched, not walked, since real prompts rarely hold an extreme.</summary>
    public void Add(ReadOnlySpan<byte> codes)
    {
        var at = 0;
        while (at < codes.Length)
        {
            if (_runLength == 0)
            {
                var next = codes[at..].IndexOfAny((byte)_lowest, (byte)_highest);
                if (next < 0)
                {
                    return;
                }

                at += next;
                _runValue = codes[at];
            }

            var end = codes[at..].IndexOfAnyExcept((byte)_runValue);
            _runLength += end < 0 ? codes.Length - at : end;
            if (end < 0)
            {
                return;
            }

            at += end;
            EndRun();
        }
    }

    /// <summary>The next sample of a 16-bit signal.</summary>
    public void Add(int sample)
    {
        if (_runLength > 0)
        {
            if (sample == _runValue)
            {
                _runLength++;
                return;
            }

            EndRun();
        }

        if (sample == _lowest || sample == _highest)
        {
            _runValue = sample;
            _runLength = 1;
        }
    }

    /// <summary>The signal ends: a run open until now is over.</summary>
    public void EndRun()
    {
        if (_runLength >= MinimumRun)
        {
            Runs++;
            Samples += _runLength;
        }

        _runLength = 0;
    }
}
