using System.CommandLine;
using Ccfs.Server;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs serve [server options]</c>: a local CC-FS from the tool itself, started exactly as <c>Ccfs.Server</c> is.
/// Everything after <c>serve</c> is the server's (<c>--urls</c>, <c>--ephemeral</c>, <c>--Ccfs:DataDir=…</c>,
/// <c>--help</c>), so it is handed over before the client's own parser sees it.
/// </summary>
internal static class ServeCommand
{
    public const string Name = "serve";

    public static bool IsInvoked(string[] args) => args is [Name, ..];

    public static Task<int> RunAsync(string[] args) => CcfsServerHost.RunAsync(args[1..], $"ccfs {Name}");

    /// <summary>For the help's list of commands; it runs only when options come before <c>serve</c>, which it refuses.</summary>
    public static Command Create(CliConsole console)
    {
        var command = new Command(Name, "Run a local CC-FS server: the development account on https://127.0.0.1:8443 "
            + "(--ephemeral for a CI job; ccfs serve --help lists the server's options)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async _ =>
        {
            await console.Error.WriteLineAsync($"ccfs: {Name} comes first, followed by the server's options: ccfs {Name} [--urls …] [--ephemeral]");
            return ExitCodes.Usage;
        });
        return command;
    }
}
