using Spectre.Console;

namespace Ccfs.Cli;

/// <summary>Where a command writes: results to Out, diagnostics and progress to Error. Tests capture both.</summary>
public sealed class CliConsole
{
    /// <param name="errorIsTerminal">The error stream is a terminal a person watches, so live progress belongs there.</param>
    public CliConsole(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null,
        bool errorIsTerminal = false)
    {
        Out = output;
        Error = error;
        Environment = environment;
        WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory();
        ErrorIsTerminal = errorIsTerminal;
        Tables = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        Progress = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Interactive = errorIsTerminal ? InteractionSupport.Yes : InteractionSupport.Detect,
        });
        if (!Tables.Profile.Capabilities.Interactive)
        {
            // Piped or captured: Spectre cannot know a width, and at its default of 80 columns it breaks names apart.
            Tables.Profile.Width = 200;
        }
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>Whether progress shown on <see cref="Error"/> is seen live (a terminal), rather than captured or logged.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>The folder relative output paths are written in: the process's current directory, unless a test says.</summary>
    public string WorkingDirectory { get; }

    /// <summary>Spectre.Console on the output, for tables.</summary>
    public IAnsiConsole Tables { get; }

    /// <summary>Spectre.Console on the error stream, for progress bars that stay out of piped results.</summary>
    public IAnsiConsole Progress { get; }

    public static CliConsole Standard { get; } = new(Console.Out, Console.Error,
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal),
        errorIsTerminal: !Console.IsErrorRedirected);
}
