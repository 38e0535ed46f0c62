namespace Ccfs.Audio;

/// <summary>The 8-bit, 8000 Hz, mono encodings a prompt may use; a set of them is what a server accepts.</summary>
[Flags]
public enum WaveEncodings
{
    None = 0,

    /// <summary>G.711 A-law, format tag 6: what the IVR plays, and the only one accepted by default.</summary>
    ALaw = 1,

    /// <summary>G.711 mu-law, format tag 7.</summary>
    MuLaw = 2,

    /// <summary>Unsigned 8-bit linear PCM, format tag 1.</summary>
    Pcm8 = 4,
}

public static class WaveEncodingNames
{
    /// <summary>The configuration spelling of each encoding.</summary>
    public static string ConfigName(WaveEncodings encoding) => encoding switch
    {
        WaveEncodings.ALaw => "alaw",
        WaveEncodings.MuLaw => "mulaw",
        WaveEncodings.Pcm8 => "pcm8",
        _ => encoding.ToString(),
    };

    public static string Describe(WaveEncodings encoding) => encoding switch
    {
        WaveEncodings.ALaw => "G.711 A-law",
        WaveEncodings.MuLaw => "G.711 mu-law",
        WaveEncodings.Pcm8 => "8-bit linear PCM",
        _ => encoding.ToString(),
    };

    /// <summary>Parses a comma-separated list such as <c>alaw,mulaw</c>; false with the offending item otherwise.</summary>
    public static bool TryParseList(string? text, out WaveEncodings encodings, out string invalidItem)
    {
        encodings = WaveEncodings.None;
        invalidItem = "";
        foreach (var raw in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var item = raw.ToLowerInvariant() switch
            {
                "alaw" or "a-law" => WaveEncodings.ALaw,
                "mulaw" or "mu-law" or "ulaw" => WaveEncodings.MuLaw,
                "pcm8" or "pcm-u8" => WaveEncodings.Pcm8,
                _ => WaveEncodings.None,
            };
            if (item == WaveEncodings.None)
            {
                invalidItem = raw;
                return false;
            }

            encodings |= item;
        }

        if (encodings == WaveEncodings.None)
        {
            invalidItem = "(empty)";
            return false;
        }

        return true;
    }
}
