using Microsoft.Extensions.Logging.Console;

namespace Ccfs.Server.Observability;

/// <summary>
/// <c>Ccfs:Log:Format</c> (<c>--log-format</c>): <c>text</c> is one short line per event for a person, <c>json</c> one
/// JSON object per line for a log pipeline, <c>auto</c> (the default) text at a terminal and JSON otherwise.
/// </summary>
public static class LogFormat
{
    public const string ConfigurationKey = "Ccfs:Log:Format";
    public const string Auto = "auto";
    public const string Json = "json";
    public const string Text = "text";

    public static IReadOnlyList<string> Names { get; } = [Auto, Json, Text];

    public static bool IsKnown(string? format) => format is null || Names.Contains(format, StringComparer.OrdinalIgnoreCase);

    /// <summary>The console formatter for a configured format; an unknown one is refused by the settings check.</summary>
    public static string FormatterFor(string? format, bool outputIsTerminal) => format?.ToLowerInvariant() switch
    {
        Json => ConsoleFormatterNames.Json,
        Text => CompactConsoleFormatter.FormatterName,
        _ => outputIsTerminal ? CompactConsoleFormatter.FormatterName : ConsoleFormatterNames.Json,
    };
}
