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
        var command = CommandLine(parse);
        if (UnknownSubcommand(parse) is { } unknown)
        {
            // One line for a mistyped command, not one per token it left unmatched and a "Required command" too.
            var near = Nearest(unknown, parse.CommandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
            await console.Error.WriteLineAsync($"ccfs: {command} has no command '{unknown}'"
                + (near is null ? "" : $"; did you mean '{command} {near}'?") + $" ({command} --help lists the commands)");
            return ExitCodes.Usage;
        }

        var lines = parse.Errors.Select(e => "ccfs: " + Describe(e.Message)).ToList();
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

    /// <summary>The first word after a command that takes subcommands, when it names none of them (and is no option).</summary>
    private static string? UnknownSubcommand(ParseResult parse) =>
        parse.CommandResult.Command.Subcommands.Count > 0 && parse.UnmatchedTokens is [var first, ..] && !first.StartsWith('-')
            && parse.CommandResult.Tokens.Count == 0
            ? first
            : null;

    /// <summary>The name within two edits of <paramref name="typed"/>, the closest first; null when none is that close.</summary>
    internal static string? Nearest(string typed, IEnumerable<string> names) =>
        names.Select(n => (Name: n, Distance: Distance(typed.ToLowerInvariant(), n)))
            .Where(c => c.Distance <= Math.Min(2, Math.Max(1, c.Name.Length / 3)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name).FirstOrDefault();

    /// <summary>Levenshtein distance, with a swap of two neighbours counting as one edit (uplaod, upload).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

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
