using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Ccfs.Server.Admin;

/// <summary>
/// Why an admin request's JSON body was refused, in the API's own words: the property that is unknown (with the valid
/// ones), repeated, or of the wrong type, or where the JSON breaks. System.Text.Json's messages name .NET types and
/// members ("could not be mapped to any .NET member contained in type …"), which mean nothing to a caller.
/// </summary>
internal static partial class AdminBodyProblem
{
    public static string Describe(JsonException failure, ReadOnlySpan<byte> body, JsonTypeInfo type)
    {
        var validText = string.Join(", ", Settable(type).Select(p => p.Name));
        if (!IsWellFormed(body))
        {
            return failure.BytePositionInLine is { } position
                ? $"the body is not valid JSON (near byte {position + 1} of line {(failure.LineNumber ?? 0) + 1}); it must be a JSON object with the properties {validText}"
                : $"the body is not valid JSON; it must be a JSON object with the properties {validText}";
        }

        // A well-formed body was parsed once already; this second parse only happens for a body that was refused.
        using var document = JsonDocument.Parse(body.ToArray());
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? DescribeIn(document.RootElement, type, "", PathSegments(failure.Path), 0) ?? $"the body must be a JSON object with the properties {validText}"
            : $"the body must be a JSON object with the properties {validText}";
    }

    /// <summary>
    /// The problem in <paramref name="node"/> (an object of <paramref name="type"/>, at <paramref name="where"/>), or in
    /// the value the failure's path leads to from it; null when neither says.
    /// </summary>
    private static string? DescribeIn(JsonElement node, JsonTypeInfo type, string where, IReadOnlyList<string> path, int depth)
    {
        var settable = Settable(type);
        var valid = settable.Select(p => p.Name).ToList();
        var names = node.EnumerateObject().Select(p => p.Name).ToList();
        var scope = where.Length == 0 ? "" : $" of '{where.TrimEnd('.')}'";
        if (names.FirstOrDefault(n => !valid.Contains(n, StringComparer.Ordinal)) is { } unknown)
        {
            var near = valid.FirstOrDefault(v => string.Equals(v, unknown, StringComparison.OrdinalIgnoreCase));
            return $"unknown property '{where}{unknown}'" + (near is null ? "" : $" (did you mean '{near}'? names are case-sensitive)")
                + $"; the valid properties{scope} are {string.Join(", ", valid)}";
        }

        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            return $"property '{where}{repeated.Key}' appears more than once";
        }

        if (depth >= path.Count || settable.FirstOrDefault(p => p.Name == path[depth]) is not { } property)
        {
            return null;
        }

        var value = node.GetProperty(property.Name);
        var name = where + property.Name;
        var itemType = property.PropertyType;
        var next = depth + 1;
        // Into a list's item, when the path names one: [{…}, {…}] reports the item as uploads[1].
        if (value.ValueKind == JsonValueKind.Array && next < path.Count && int.TryParse(path[next], out var index)
            && index < value.GetArrayLength() && type.Options.GetTypeInfo(itemType).ElementType is { } elementType
            && type.Options.GetTypeInfo(elementType).Kind == JsonTypeInfoKind.Object)
        {
            (value, itemType, name, next) = (value[index], elementType, $"{name}[{index}]", next + 1);
        }

        if (value.ValueKind == JsonValueKind.Object && next < path.Count
            && type.Options.GetTypeInfo(Nullable.GetUnderlyingType(itemType) ?? itemType) is { Kind: JsonTypeInfoKind.Object } nested)
        {
            return DescribeIn(value, nested, name + ".", path, next) ?? $"property '{name}' must be {Expected(itemType)}";
        }

        if ((Nullable.GetUnderlyingType(itemType) ?? itemType) == typeof(TimeSpan) && value.ValueKind == JsonValueKind.String
            && TooLongDuration().IsMatch(value.GetString()!))
        {
            return $"property '{name}' is longer than any duration ccfs takes; it must be a duration such as \"30.00:00:00\"";
        }

        return $"property '{name}' must be {Expected(itemType)}";
    }

    /// <summary>A duration written right whose days are more than a <see cref="TimeSpan"/> holds (about 10.7 million).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{8,}(\.\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$")]
    private static partial System.Text.RegularExpressions.Regex TooLongDuration();

    /// <summary>What a body may set: constructor parameters and settable properties, not computed ones such as IsEmpty.</summary>
    private static List<JsonPropertyInfo> Settable(JsonTypeInfo type) =>
        [.. type.Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null)];

    /// <summary>The names and indexes of a failure's JSON path: <c>$.uploads[0].data</c> is uploads, 0, data.</summary>
    private static List<string> PathSegments(string? path)
    {
        var segments = new List<string>();
        foreach (var part in (path ?? "$").TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            segments.Add(bracket < 0 ? part : part[..bracket]);
            for (var at = bracket; at >= 0 && part.IndexOf(']', at) is var close and > 0; at = part.IndexOf('[', close))
            {
                segments.Add(part[(at + 1)..close]);
            }
        }

        return segments;
    }

    private static bool IsWellFormed(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The names of the top-level object's properties, in order; null when the body is not an object.</summary>
    private static List<string>? TopLevelNames(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        var names = new List<string>();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                names.Add(reader.GetString()!);
                reader.Read();
                reader.Skip();
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() ? names : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a string (or null)";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(TimeSpan))
        {
            return "a duration as a string, days.hours:minutes:seconds, such as \"30.00:00:00\"";
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return "a whole number";
        }

        if (type.IsPrimitive || type == typeof(decimal))
        {
            return "a number";
        }

        if (type == typeof(byte[]))
        {
            return "Base64 text";
        }

        if (type.IsAssignableTo(typeof(System.Collections.IEnumerable)))
        {
            var item = type.IsArray ? type.GetElementType() : type.GetGenericArguments().FirstOrDefault();
            return item is not null && (Nullable.GetUnderlyingType(item) ?? item) is { IsPrimitive: true } ? "a list of numbers, such as [53, 54]" : "a list";
        }

        return type.IsClass ? "a JSON object" : "a JSON value of another kind";
    }
}
