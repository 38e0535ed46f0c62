using System.Buffers.Binary;

namespace Ccfs.Audio;

/// <summary>One chunk of a RIFF file: its id and where its body lies. Positions are 64-bit so no size can wrap.</summary>
public readonly record struct RiffChunk(uint Id, long HeaderOffset, long BodyOffset, long BodyLength)
{
    public string Name => FourCC.ToText(Id);
}

/// <summary>
/// Walks the chunks of a RIFF/WAVE file held in memory. Each step reads 8 bytes and checks the declared size
/// against what is really there, honours the pad byte after odd-sized chunks, and stops after
/// <see cref="MaxChunks"/> chunks, so no header value can make it allocate or loop without bound.
/// </summary>
public ref struct RiffReader
{
    /// <summary>Real files have a handful of chunks; past this the file is refused rather than walked.</summary>
    public const int MaxChunks = 256;

    private readonly ReadOnlySpan<byte> _file;
    private readonly long _end;
    private long _position;

    private RiffReader(ReadOnlySpan<byte> file, long end)
    {
        _file = file;
        _end = end;
        _position = 12;
    }

    public int ChunksRead { get; private set; }

    /// <summary>Checks the 12-byte RIFF/WAVE header and positions a reader on the first chunk.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> file, out RiffReader reader, out string? error)
    {
        reader = default;
        if (file.Length < 12)
        {
            error = ReasonText.Of($"the file is {file.Length} bytes, too short for a RIFF/WAVE header");
            return false;
        }

        var magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        if (magic != FourCC.Riff)
        {
            error = magic switch
            {
                FourCC.Rifx => "RIFX (big-endian RIFF) is not supported",
                FourCC.Rf64 => "RF64 is not supported, a RIFF/WAVE file is required",
                _ when file.StartsWith("ID3"u8) || (file[0] == 0xFF && (file[1] & 0xE0) == 0xE0) =>
                    "an MP3 file, not a RIFF/WAVE file: convert it first (ccfs convert, or ffmpeg -i in.mp3 -ar 8000 -ac 1 -c:a pcm_alaw out.wav)",
                _ when file.StartsWith("OggS"u8) || file.StartsWith("fLaC"u8) =>
                    ReasonText.Of($"an {(file[0] == (byte)'O' ? "Ogg" : "FLAC")} file, not a RIFF/WAVE file: convert it first (ccfs convert, or ffmpeg)"),
                _ => ReasonText.Of($"not a RIFF/WAVE file (it starts with {FourCC.ToText(magic)})"),
            };
            return false;
        }

        var form = BinaryPrimitives.ReadUInt32LittleEndian(file[8..]);
        if (form != FourCC.Wave)
        {
            error = ReasonText.Of($"the RIFF form type is {FourCC.ToText(form)}, WAVE required");
            return false;
        }

        // Tolerate a missing final pad byte and bytes after the RIFF (spec §6 Q13), never a size past the file.
        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(file[4..]);
        var riffEnd = 8L + riffSize;
        if (riffEnd > file.Length + 1L)
        {
            error = ReasonText.Of($"the RIFF size {riffSize} claims {riffEnd} bytes but the file has {file.Length}");
            return false;
        }

        reader = new RiffReader(file, Math.Min(riffEnd, file.Length));
        error = null;
        return true;
    }

    /// <summary>Reads the next chunk header. False at the end (error null) or on a lie (error set).</summary>
    public bool TryReadNext(out RiffChunk chunk, out string? error)
    {
        chunk = default;
        error = null;
        if (_position >= _end)
        {
            return false;
        }

        if (ChunksRead == MaxChunks)
        {
            error = ReasonText.Of($"the file has more than {MaxChunks} chunks");
            return false;
        }

        if (_end - _position < 8)
        {
            error = ReasonText.Of($"a truncated chunk header at offset {_position}");
            return false;
        }

        var header = _file.Slice((int)_position, 8);
        var id = BinaryPrimitives.ReadUInt32LittleEndian(header);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        var body = _position + 8;
        if (size > _end - body)
        {
            error = ReasonText.Of($"the {FourCC.ToText(id)} chunk at offset {_position} claims {size} bytes but only {_end - body} remain");
            return false;
        }

        chunk = new RiffChunk(id, _position, body, size);
        ChunksRead++;
        _position = body + size + (size & 1);
        return true;
    }
}

/// <summary>Four-character codes as little-endian 32-bit values.</summary>
public static class FourCC
{
    public const uint Riff = 0x46464952; // "RIFF"
    public const uint Rifx = 0x58464952; // "RIFX"
    public const uint Rf64 = 0x34364652; // "RF64"
    public const uint Wave = 0x45564157; // "WAVE"
    public const uint Fmt = 0x20746D66;  // "fmt "
    public const uint Data = 0x61746164; // "data"
    public const uint Fact = 0x74636166; // "fact"

    /// <summary>The code as quoted text when printable, otherwise as hex bytes.</summary>
    public static string ToText(uint code)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((code >> (8 * i)) & 0xFF);
            if (c is < ' ' or > '~')
            {
                return ReasonText.Of($"0x{(code & 0xFF):X2} 0x{((code >> 8) & 0xFF):X2} 0x{((code >> 16) & 0xFF):X2} 0x{(code >> 24):X2}");
            }

            chars[i] = c;
        }

        return "'" + new string(chars) + "'";
    }
}
