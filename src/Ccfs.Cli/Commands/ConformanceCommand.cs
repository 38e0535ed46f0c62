using System.CommandLine;
using Ccfs.Cli.Conformance;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs conformance</c>: the black-box suite, one JSON line per check, non-zero exit on any failure.</summary>
internal static class ConformanceCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var mode = new Option<string>("--mode") { Description = "core: what the CC-FS documentation states; full: also the spec's judgements where it is silent (ccfs's choices)", DefaultValueFactory = _ => "core" };
        mode.AcceptOnlyFromAmong("core", "full");
        var otherVdn = new Option<int>("--other-vdn")
        {
            Description = "A VDN the access key is NOT bound to, for the tenancy checks",
            DefaultValueFactory = _ => 2147483646,
        };
        var uploadLimit = new Option<decimal>("--upload-limit-mb")
        {
            Description = "The endpoint's upload size limit in MB (binary, the CC-FS default is 5), for the too-large check",
            DefaultValueFactory = _ => 5,
        };
        var command = new Command("conformance", "Check an endpoint against the CC-FS third-party interfaces; prints one JSON line per check")
        {
            mode, otherVdn, uploadLimit,
        };
        command.SetAction((parse, _) => CcfsCli.GuardAsync(console, async () =>
        {
            var settings = connection.Resolve(parse, console);
            using var http = settings.CreateHttpClient();
            var limit = parse.GetValue(uploadLimit);
            if (limit <= 0)
            {
                throw new UsageException("--upload-limit-mb must be more than 0");
            }

            var suite = new ConformanceSuite(new ConformanceRequests(http, settings), settings.Vdn, parse.GetValue(otherVdn),
                (long)(limit * 1024 * 1024));
            var results = await suite.RunAsync(parse.GetValue(mode) == "full", r => console.Out.WriteLineAsync(r.ToJson()));
            var failed = results.Count(r => r.Status == CheckStatus.Fail);
            await console.Error.WriteLineAsync($"{results.Count(r => r.Status == CheckStatus.Pass)} passed, {failed} failed, "
                + $"{results.Count(r => r.Status == CheckStatus.NotApplicable)} not applicable ({settings.Endpoint})");
            if (suite.LockedOut is { } locked)
            {
                await console.Error.WriteLineAsync($"""
                    ccfs: stopped: {locked}. Every request from this address is refused until the lock ends (10 minutes
                    by default on ccfs). An administrator can lift it from another address: `ccfs admin ip-locks` lists the
                    locked addresses, `ccfs admin ip-locks lift ADDRESS` lifts one. On a development server (no account
                    configured, loopback only) loopback addresses are never locked.
                    """);
                return ExitCodes.AuthenticationRefused;
            }

            return failed == 0 ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }
}
