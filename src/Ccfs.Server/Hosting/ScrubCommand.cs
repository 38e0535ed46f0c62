using System.Globalization;
using Ccfs.Server.Configuration;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Storage;
using Microsoft.Extensions.Logging.Console;

namespace Ccfs.Server.Hosting;

/// <summary>
/// <c>dotnet Ccfs.Server.dll scrub [--repair] [configuration arguments]</c>: the scrub of <c>POST /admin/api/scrub</c>, run once from the
/// command line with the server's own configuration, without listening. Each problem is a line on standard output, then a
/// summary; logs go to standard error. Exit code 0 when every copy is healthy or was repaired, 1 when problems remain (or
/// the scrub could not finish), 2 for a configuration error.
/// </summary>
public static class ScrubCommand
{
    public const string Name = "scrub";
    public const string RepairOption = "--repair";

    /// <summary>The server's own command line: <c>ccfs</c> is the client tool, which has no scrub.</summary>
    public const string Usage = $"usage: dotnet Ccfs.Server.dll {Name} [{RepairOption}] [--Ccfs:DataDir=<dir>] (or Ccfs.Server {Name} …)";

    public static bool IsInvoked(string[] args) => args.Length > 0 && string.Equals(args[0], Name, StringComparison.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        var rest = args.Skip(1).ToList();
        var repair = rest.Remove(RepairOption);
        ServiceProvider services;
        CcfsSettings settings;
        try
        {
            var builder = WebApplication.CreateBuilder(CcfsServerHost.WithoutConfigurationWatching([.. rest]));
            builder.AddCcfsServer();
            builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
            // The server's services without its host: building the web host would make Kestrel, and with it a TLS
            // certificate in the data dir; hosted services (start-up recovery) would change the data a scrub only reads.
            services = builder.Services.BuildServiceProvider();
            settings = services.GetRequiredService<CcfsSettings>();
        }
        catch (Exception e) when (e is CcfsConfigurationException or Hosting.CcfsStartupException or FormatException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        await using (services)
        {
            if (services.GetRequiredService<Catalog.CatalogProvider>().MissingCatalog() is { } missing)
            {
                await Console.Error.WriteLineAsync($"{Name}: {missing}");
                return 2;
            }

            using var interrupted = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                interrupted.Cancel();
            };
            try
            {
                var report = await services.GetRequiredService<Scrubber>().TryRunAsync(repair, p => Console.WriteLine(Line(p)), interrupted.Token);
                Console.WriteLine(Summary(report!));
                return report!.Remaining == 0 ? 0 : 1;
            }
            catch (Exception e) when (StorageFailure.Is(e) || e is OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"{Name}: the scrub did not finish: {e.Message}");
                return 1;
            }
        }
    }

    private static string Line(ScrubProblem problem) =>
        $"{problem.Kind} {problem.FileName} location {problem.LocationId}{(problem.Repaired ? " repaired" : "")}: {problem.Detail}";

    private static string Summary(ScrubReport report) => string.Create(CultureInfo.InvariantCulture,
        $"scrub{(report.Repair ? " --repair" : "")}: {report.FilesChecked} file(s), {report.CopiesChecked} copies checked, "
        + $"{report.HealthyCopies} healthy; {report.ProblemCount} problem(s), {report.Repaired} repaired, {report.Remaining} remaining");
}
