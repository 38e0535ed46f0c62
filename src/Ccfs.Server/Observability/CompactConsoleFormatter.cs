using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Ccfs.Server.Observability;

/// <summary>
/// The log for a person: <c>12:04:05.120 INF uploadFile 0 in 3 ms: …</c>, one line per event, the level coloured at a
/// terminal (unless <c>NO_COLOR</c> is set). An exception adds its type and message to the line; at Error and above
/// its stack follows, indented.
/// </summary>
public sealed class CompactConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "ccfs";

    private readonly bool _terminal = !Console.IsOutputRedirected;
    private readonly bool _colors = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is not { Length: > 0 };

    public CompactConsoleFormatter() : base(FormatterName)
    {
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var exception = logEntry.Exception;
        if (string.IsNullOrEmpty(message) && exception is null)
        {
            return;
        }

        // A person at a terminal knows the day; a text log kept in a file does not.
        textWriter.Write(DateTime.Now.ToString(_terminal ? "HH:mm:ss.fff" : "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
        textWriter.Write(' ');
        WriteLevel(textWriter, logEntry.LogLevel);
        textWriter.Write(' ');
        WriteOneLine(textWriter, message);
        if (exception is not null)
        {
            textWriter.Write(string.IsNullOrEmpty(message) ? "" : " (");
            textWriter.Write(exception.GetType().Name);
            textWriter.Write(": ");
            WriteOneLine(textWriter, exception.Message);
            textWriter.Write(string.IsNullOrEmpty(message) ? "" : ")");
        }

        textWriter.Write('\n');
        if (exception is not null && logEntry.LogLevel >= LogLevel.Error)
        {
            foreach (var line in exception.ToString().Split('\n'))
            {
                textWriter.Write("    ");
                WriteOneLine(textWriter, line.TrimEnd('\r'));
                textWriter.Write('\n');
            }
        }
    }

    private void WriteLevel(TextWriter writer, LogLevel level)
    {
        var (name, color) = level switch
        {
            LogLevel.Trace => ("TRC", "\e[90m"),
            LogLevel.Debug => ("DBG", "\e[90m"),
            LogLevel.Information => ("INF", "\e[32m"),
            LogLevel.Warning => ("WRN", "\e[33m"),
            LogLevel.Error => ("ERR", "\e[31m"),
            _ => ("CRT", "\e[1;31m"),
        };
        if (_colors)
        {
            writer.Write(color);
            writer.Write(name);
            writer.Write("\e[0m");
        }
        else
        {
            writer.Write(name);
        }
    }

    private static void WriteOneLine(TextWriter writer, string? text)
    {
        if (text is null)
        {
            return;
        }

        // Callers' text (a file name, a receiver's answer) reaches messages: no escape sequence of theirs reaches a terminal.
        Ccfs.Protocol.TerminalText.Write(writer, text);
    }
}
