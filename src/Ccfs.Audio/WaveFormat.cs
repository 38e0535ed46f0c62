using System.Buffers.Binary;

namespace Ccfs.Audio;

/// <summary>
/// The fields of a <c>fmt </c> chunk. For WAVE_FORMAT_EXTENSIBLE the format tag is the one carried by the
/// sub-format GUID, so callers see one code whichever way the file spells it.
/// </summary>
public readonly record struct WaveFormat(
    ushort FormatTag,
    ushort Channels,
    uint SampleRate,
    uint ByteRate,
    ushort BlockAlign,
    ushort BitsPerSample,
    bool IsExtensible)
{
    public const ushort Pcm = 0x0001;
    public const ushort IeeeFloat = 0x0003;
    public const ushort ALaw = 0x0006;
    public const ushort MuLaw = 0x0007;
    public const ushort Extensible = 0xFFFE;

    // KSDATAFORMAT_SUBTYPE_xxx GUIDs are {0000xxxx-0000-0010-8000-00AA00389B71}: after the 2-byte tag, these 14 bytes.
    private static ReadOnlySpan<byte> SubFormatGuidTail =>
        [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public static bool TryParse(ReadOnlySpan<byte> body, out WaveFormat format, out string? error)
    {
        format = default;
        if (body.Length < 16)
        {
            error = ReasonText.Of($"the fmt chunk is {body.Length} bytes, at least 16 required");
            return false;
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(body);
        var extensible = tag == Extensible;
        if (extensible)
        {
            // WAVEFORMATEXTENSIBLE: 18 bytes of WAVEFORMATEX with cbSize >= 22, then bits, mask and the GUID.
            if (body.Length < 40 || BinaryPrimitives.ReadUInt16LittleEndian(body[16..]) < 22)
            {
                error = ReasonText.Of($"the WAVE_FORMAT_EXTENSIBLE fmt chunk is {body.Length} bytes, too short for its sub-format");
                return false;
            }

            var guid = body.Slice(24, 16);
            if (!guid[2..].SequenceEqual(SubFormatGuidTail))
            {
                error = "the WAVE_FORMAT_EXTENSIBLE sub-format GUID is not a standard audio sub-format";
                return false;
            }

            tag = BinaryPrimitives.ReadUInt16LittleEndian(guid);
        }

        format = new WaveFormat(
            tag,
            BinaryPrimitives.ReadUInt16LittleEndian(body[2..]),
            BinaryPrimitives.ReadUInt32LittleEndian(body[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(body[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(body[12..]),
            BinaryPrimitives.ReadUInt16LittleEndian(body[14..]),
            extensible);
        error = null;
        return true;
    }

    /// <summary>A human name for the tag, for rejection reasons.</summary>
    public string Describe() => FormatTag switch
    {
        Pcm => ReasonText.Of($"{BitsPerSample}-bit linear PCM"),
        0x0002 => "Microsoft ADPCM",
        IeeeFloat => ReasonText.Of($"{BitsPerSample}-bit IEEE float"),
        ALaw => "G.711 A-law",
        MuLaw => "G.711 mu-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG audio",
        0x0055 => "MPEG Layer 3",
        _ => ReasonText.Of($"format tag 0x{FormatTag:X4}"),
    };
}
