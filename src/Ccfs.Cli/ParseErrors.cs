using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Ccfs.Cli;

/// <summary>
/// What a command line that does not parse gets: each problem in one line that says what was expected, and where the
/// options are listed, rather than .NET's type names (System.Nullable`1[System.Int32]) and the whole help text.
/// </summary>
internal static partial class ParseErrors
{
    public static async Task<int> WriteAsync(CliConsole console, ParseResult parse)
    {
        var lines = parse.Errors.Select(e => "ccfs: " + Describe(e.Message)).ToList();
        var command = CommandLine(parse);
        lines[^1] += $" ({command} --help lists the {(command == "ccfs" ? "commands" : "options")})";
        foreach (var line in lines)
        {
            await console.Error.WriteLineAsync(line);
        }

        return ExitCodes.Usage;
    }

    internal static string Describe(string message) => WrongType().Match(message) is { Success: true } m
        ? $"{m.Groups["name"].Value} takes {Kind(m.Groups["type"].Value)}, not '{m.Groups["value"].Value}'"
        : message;

    private static string Kind(string type) => type switch
    {
        _ when type.Contains("Int", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal)
            || type.Contains("Decimal", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "a value of another kind",
    };

    /// <summary>The command as typed, from <c>ccfs</c> down to the one that did not parse.</summary>
    private static string CommandLine(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command; result = command.Parent)
        {
            names.Insert(0, command.Command is RootCommand ? "ccfs" : command.Command.Name);
        }

        return string.Join(' ', names);
    }

    [GeneratedRegex("^Cannot parse argument '(?<value>.*)' for (option|argument) '(?<name>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex WrongType();
}
