using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Ccfs.Server.Admin;

/// <summary>
/// Why an admin request's JSON body was refused, in the API's own words: the property that is unknown (with the valid
/// ones), repeated, or of the wrong type, or where the JSON breaks. System.Text.Json's messages name .NET types and
/// members ("could not be mapped to any .NET member contained in type …"), which mean nothing to a caller.
/// </summary>
internal static class AdminBodyProblem
{
    public static string Describe(JsonException failure, ReadOnlySpan<byte> body, JsonTypeInfo type)
    {
        // What a body may set: constructor parameters and settable properties, not computed ones such as IsEmpty.
        var settable = type.Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null).ToList();
        var valid = settable.Select(p => p.Name).ToList();
        var validText = string.Join(", ", valid);
        if (!IsWellFormed(body))
        {
            return failure.BytePositionInLine is { } position
                ? $"the body is not valid JSON (near byte {position + 1} of line {(failure.LineNumber ?? 0) + 1}); it must be a JSON object with the properties {validText}"
                : $"the body is not valid JSON; it must be a JSON object with the properties {validText}";
        }

        if (TopLevelNames(body) is { } names)
        {
            if (names.FirstOrDefault(n => !valid.Contains(n, StringComparer.Ordinal)) is { } unknown)
            {
                var near = valid.FirstOrDefault(v => string.Equals(v, unknown, StringComparison.OrdinalIgnoreCase));
                return $"unknown property '{unknown}'" + (near is null ? "" : $" (did you mean '{near}'? names are case-sensitive)")
                    + $"; the valid properties are {validText}";
            }

            if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            {
                return $"property '{repeated.Key}' appears more than once";
            }

            if (settable.FirstOrDefault(p => failure.Path == "$." + p.Name || failure.Path?.StartsWith($"$.{p.Name}[", StringComparison.Ordinal) == true) is { } property)
            {
                return $"property '{property.Name}' must be {Expected(property.PropertyType)}";
            }

        }

        return $"the body must be a JSON object with the properties {validText}";
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

        return type.IsAssignableTo(typeof(System.Collections.IEnumerable)) ? "a list of numbers, such as [53, 54]" : "a JSON value of another kind";
    }
}
