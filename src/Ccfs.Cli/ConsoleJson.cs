using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ccfs.Cli;

/// <summary>
/// How the CLI writes JSON: for a console or a script, never into HTML, so the +, ± and quotes that reasons and findings
/// hold stay readable rather than becoming \u002B.
/// </summary>
internal static class ConsoleJson
{
    public static JsonSerializerOptions Plain { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>camelCase names, as every field of <c>upload --json</c> is spelled.</summary>
    public static JsonSerializerOptions CamelCase { get; } = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
