using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace Ccfs.Server.Configuration;

/// <summary>
/// Checks the keys and values under <c>Ccfs</c> against the shape of <see cref="CcfsOptions"/> before they are bound,
/// so that a typo names the key and the nearest valid one and a value that does not parse says what is expected, in
/// the configuration's words rather than the binder's (which names .NET types). Keys match ignoring case, as binding does.
/// </summary>
public static class ConfigurationShape
{
    public static void Check(IConfigurationSection section, Type type, List<string> errors)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (IsValue(target))
        {
            CheckValue(section, target, errors);
        }
        else if (CollectionElement(target, typeof(IDictionary<,>)) is { } dictionaryValue)
        {
            foreach (var entry in section.GetChildren())
            {
                Check(entry, dictionaryValue, errors);
            }
        }
        else if (CollectionElement(target, typeof(IList<>)) is { } element)
        {
            foreach (var entry in section.GetChildren())
            {
                if (int.TryParse(entry.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    Check(entry, element, errors);
                }
                else
                {
                    errors.Add($"{entry.Path}: {section.Path} is a list, so each entry has an index, such as {section.Path}:0:{entry.Key}");
                }
            }
        }
        else
        {
            CheckGroup(section, target, errors);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> errors)
    {
        if (section.GetChildren().FirstOrDefault() is { } child)
        {
            errors.Add($"{section.Path} takes a single value ({Expected(type)}), not keys under it such as {child.Path}");
            return;
        }

        if (section.Value is { } value && !Parses(type, value))
        {
            errors.Add($"{section.Path} is '{value}'; expected {Expected(type)}");
        }
    }

    private static void CheckGroup(IConfigurationSection section, Type type, List<string> errors)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetMethod is not null).ToList();
        var children = section.GetChildren().ToList();
        if (children.Count == 0 && section.Value is { Length: > 0 } value && properties.Count > 0)
        {
            errors.Add($"{section.Path} is '{value}', but it is a group of keys such as {section.Path}:{properties[0].Name}");
            return;
        }

        foreach (var child in children)
        {
            var property = properties.Find(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                ReportUnknown(section, child, [.. properties.Select(p => p.Name)], errors);
            }
            else
            {
                Check(child, property.PropertyType, errors);
            }
        }
    }

    /// <summary>One problem per key the user wrote (each environment variable is one), with the nearest valid key.</summary>
    private static void ReportUnknown(IConfigurationSection parent, IConfigurationSection unknown, IReadOnlyList<string> valid, List<string> errors)
    {
        var nearest = Nearest(unknown.Key, valid);
        foreach (var (key, _) in unknown.AsEnumerable().Where(e => e.Value is not null).OrderBy(e => e.Key, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add(nearest is null
                ? $"unknown key {key}; the keys of {parent.Path} are {string.Join(", ", valid)}"
                : $"unknown key {key}; did you mean {parent.Path}:{nearest}{key[unknown.Path.Length..]}?");
        }
    }

    /// <summary>The valid name a typo most likely meant: a few letters off, or a part of it (or it a part of the name).</summary>
    public static string? Nearest(string typed, IReadOnlyList<string> valid)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in valid)
        {
            var distance = Distance(typed.ToUpperInvariant(), name.ToUpperInvariant());
            var close = distance <= Math.Max(2, name.Length / 3)
                || (typed.Length >= 4 && (name.Contains(typed, StringComparison.OrdinalIgnoreCase) || typed.Contains(name, StringComparison.OrdinalIgnoreCase)));
            if (close && distance < bestDistance)
            {
                best = name;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>A type bound from one string, as the binder decides it: its type converter reads strings.</summary>
    private static bool IsValue(Type type) => TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    /// <summary>The same conversion binding will make, so a value accepted here binds.</summary>
    private static bool Parses(Type type, string value)
    {
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or NotSupportedException
            || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Expected(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a number such as 5 or 0.5",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) => "a whole number such as 4",
        _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss) or 90.00:00:00 (days.hh:mm:ss)",
        { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "text",
    };

    /// <summary>The element (or value) type when <paramref name="type"/> is a list (or a dictionary) the binder fills.</summary>
    private static Type? CollectionElement(Type type, Type generic)
    {
        var implemented = type.IsGenericType && type.GetGenericTypeDefinition() == generic
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic);
        return implemented?.GetGenericArguments()[^1];
    }
}
