using System.Globalization;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Http;

/// <summary>The field rules shared by every interface's <c>msgBody</c> (spec §3).</summary>
public static class MsgBody
{
    /// <summary>Missing or null: <c>0300001</c>; not a string: <c>0300004</c>; empty: <c>0300002</c>.</summary>
    public static CcfsResult? CheckString(JsonValue value, string name) => value switch
    {
        { IsNull: true } => CcfsResult.Null(name),
        { Token: not JsonTokenType.String } => CcfsResult.Format(name),
        { Length: 0 } => CcfsResult.Empty(name),
        _ => null,
    };

    /// <summary>
    /// The envelope of deleteFile, getFileHash and downloadFile: a required path field and one optional field, left
    /// for the interface to read.
    /// </summary>
    /// <param name="reason">With a refusal of the envelope, what exactly is wrong; null for a field rule (its text says it).</param>
    public static CcfsResult? ReadPathEnvelope(ReadOnlySpan<byte> json, string pathField, string optionalField, out string path,
        out JsonValue optional, out string? reason)
    {
        Span<JsonValue> fields = stackalloc JsonValue[2];
        path = "";
        optional = default;
        if (EnvelopeReader.Read(json, [pathField, optionalField], fields, out reason) is { } invalid)
        {
            return invalid;
        }

        optional = fields[1];
        return RequiredString(json, fields[0], pathField, out path);
    }

    public static CcfsResult? RequiredString(ReadOnlySpan<byte> json, JsonValue value, string name, out string text)
    {
        var refusal = CheckString(value, name);
        text = refusal is null ? value.GetString(json) : "";
        return refusal;
    }

    /// <summary>
    /// Absent, null or empty: every location. Otherwise a string (or number) naming a configured location;
    /// any other value is <c>0300004</c>.
    /// </summary>
    public static CcfsResult? OptionalLocation(ReadOnlySpan<byte> json, JsonValue value, LocationSet locations, out IFileStore? store)
    {
        store = null;
        if (value.IsNull || (value.Token == JsonTokenType.String && value.Length == 0))
        {
            return null;
        }

        if (value.Token is not (JsonTokenType.String or JsonTokenType.Number))
        {
            return CcfsResult.Format("locationId");
        }

        store = locations.Find(value.GetString(json));
        return store is null ? CcfsResult.Format("locationId") : null;
    }

    /// <summary>Absent or null: 0. An integer, or a string holding one; anything else is <c>0300004</c>.</summary>
    public static CcfsResult? OptionalInteger(ReadOnlySpan<byte> json, JsonValue value, string name, out int number)
    {
        number = 0;
        if (value.IsNull)
        {
            return null;
        }

        return value.Token is JsonTokenType.Number or JsonTokenType.String
            && int.TryParse(value.GetString(json), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number)
                ? null
                : CcfsResult.Format(name);
    }
}
