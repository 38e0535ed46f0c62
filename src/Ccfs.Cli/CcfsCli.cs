using System.CommandLine;
using System.CommandLine.Invocation;
using Ccfs.Cli.Commands;
using Ccfs.Client;
using Ccfs.Protocol;

namespace Ccfs.Cli;

/// <summary>The <c>ccfs</c> command line: its commands, their shared connection options, and exit codes.</summary>
public static class CcfsCli
{
    /// <param name="cancellationToken">Stops the command as Ctrl-C or SIGTERM does (which also stop it).</param>
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        if (ServeCommand.IsInvoked(args))
        {
            return await ServeCommand.RunAsync(args);
        }

        var connection = new ConnectionOptions();
        var root = new RootCommand("""
            ccfs: a client for CC-FS third-party IVR file interfaces (uploadFile, deleteFile, getFileHash, downloadFile),
            for ccfs-server or a real Huawei CEC CC-FS. Connection options may also come from CCFS_ENDPOINT,
            CCFS_ACCESS_KEY, CCFS_SECRET_KEY, CCFS_VDN, CCFS_FINGERPRINT, or a profile (CCFS_PROFILE, CCFS_PROFILE_FILE).
            Exit codes: 0 success, 1 refused or failed (a prompt check too), 2 bad usage or local input, 3 authentication
            refused (401/403), 4 endpoint unreachable or not answering as CC-FS, 5 hash --compare found the files differ,
            130 interrupted (Ctrl-C or SIGTERM).
            """);
        foreach (var option in connection.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(UploadCommand.Create(connection, console));
        root.Subcommands.Add(ConvertCommand.Create(console));
        root.Subcommands.Add(CheckCommand.Create(console));
        root.Subcommands.Add(DeleteCommand.Create(connection, console));
        root.Subcommands.Add(HashCommand.Create(connection, console));
        root.Subcommands.Add(DownloadCommand.Create(connection, console));
        root.Subcommands.Add(SignCommand.Create(connection, console));
        root.Subcommands.Add(ConformanceCommand.Create(connection, console));
        root.Subcommands.Add(BenchCommand.Create(connection, console));
        root.Subcommands.Add(AdminCommand.Create(connection, console));
        root.Subcommands.Add(EventsCommand.Create(connection, console));
        root.Subcommands.Add(FaultsCommand.Create(connection, console));
        root.Subcommands.Add(JournalCommand.Create(connection, console));
        root.Subcommands.Add(HealthcheckCommand.Create(connection, console));
        root.Subcommands.Add(ServeCommand.Create(console));
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new PrintVersion(console);
        }

        // '@FILE' means a body file to `admin --data`, not a response file of more arguments.
        var parse = root.Parse(ConvertCommand.WithDefaultLevel(args), new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            return await ParseErrors.WriteAsync(console, parse);
        }

        var invocation = new InvocationConfiguration { Output = console.Out, Error = console.Error };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>Runs a command's work, turning the failures every command shares into a message and an exit code.</summary>
    internal static async Task<int> GuardAsync(CliConsole console, Func<Task<int>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (Failure.Of(e) is { } failure)
        {
            await console.Error.WriteLineAsync("ccfs: " + failure.Message);
            return failure.ExitCode;
        }
        catch (Exception e) when (console.Environment.GetValueOrDefault(DebugVariable) is not ("1" or "true"))
        {
            // A bug: say so in words; the type and the stack trace are for whoever fixes it.
            await console.Error.WriteLineAsync($"ccfs: something failed that ccfs does not expect ({e.Message.TrimEnd('.')}). "
                + $"This is a bug in ccfs: run the command again with {DebugVariable}=1 to see where, and report it.");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Set to 1 to let an unexpected failure show its .NET exception and stack trace.</summary>
    public const string DebugVariable = "CCFS_DEBUG";

    /// <summary>Prints a CC-FS refusal to the error stream.</summary>
    internal static async Task<int> RefusedAsync(CliConsole console, CcfsResponse response)
    {
        await console.Error.WriteLineAsync($"ccfs: {response.ResultCode} {response.ResultDesc}"
            + (response.Reason is null ? "" : $" ({response.Reason})"));
        return ExitCodes.Failed;
    }

    /// <summary><c>ccfs --version</c>: the product's version, the one the server and OpenAPI show.</summary>
    private sealed class PrintVersion(CliConsole console) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            console.Out.WriteLine(CcfsVersion.Version);
            return ExitCodes.Success;
        }
    }
}
