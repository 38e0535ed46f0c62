using Ccfs.Protocol;
using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;
using Ccfs.Server.Hosting;

namespace Ccfs.Server;

/// <summary>
/// The server's whole command line, shared by <c>Ccfs.Server</c> (<c>dotnet run</c>, the published binary) and
/// <c>ccfs serve</c>: <c>--help</c>, <c>--version</c>, <c>--ephemeral</c>, <c>--log-format</c>, the <c>scrub</c>
/// command, then the server itself. A configuration or start-up problem is one line on stderr and exit code 2.
/// </summary>
public static partial class CcfsServerHost
{
    public const int ProblemExitCode = 2;

    /// <summary>A start-up problem that may pass by itself (EX_TEMPFAIL): a service manager should start the server again.</summary>
    public const int TransientExitCode = 75;

    /// <param name="args">The command line, less the program (and for <c>ccfs serve</c>, less <c>serve</c>).</param>
    /// <param name="program">How the user started the server, for <c>--help</c>.</param>
    public static async Task<int> RunAsync(string[] args, string program = "Ccfs.Server")
    {
        if (ScrubCommand.IsInvoked(args))
        {
            return await ScrubCommand.RunAsync(args);
        }

        var arguments = HostArguments.Parse(args);
        if (arguments.Problem is { } problem)
        {
            await Console.Error.WriteLineAsync($"ccfs: {problem} (see {program} --help)");
            return ProblemExitCode;
        }

        if (arguments.Help)
        {
            await Console.Out.WriteAsync(ServerUsage.Text(program));
            return 0;
        }

        if (arguments.Version)
        {
            await Console.Out.WriteLineAsync(CcfsVersion.Version);
            return 0;
        }

        if (!arguments.Ephemeral)
        {
            return await ServeAsync(arguments.Rest, null);
        }

        // Last on the command line, so it wins over a data dir from the environment or appsettings.json.
        using var ephemeral = EphemeralDataDir.Create();
        return await ServeAsync([.. arguments.Rest, $"--{CcfsOptions.Section}:DataDir={ephemeral.Path}"], ephemeral);
    }

    private static async Task<int> ServeAsync(string[] args, EphemeralDataDir? ephemeral)
    {
        WebApplication app;
        try
        {
            app = await StartAsync(args, ephemeral);
        }
        catch (Exception e) when (e is CcfsConfigurationException or CcfsStartupException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            if (e is CcfsStartupException { Transient: true })
            {
                await Console.Error.WriteLineAsync($"ccfs: this may pass by itself; exit code {TransientExitCode} asks a service manager to start ccfs again");
                return TransientExitCode;
            }

            return ProblemExitCode;
        }

        await using (app)
        {
            await app.WaitForShutdownAsync();
        }

        return 0;
    }

    /// <summary>
    /// Builds the server, checks its settings and folders, and starts it in this process (as <c>Ccfs.Server</c>,
    /// <c>ccfs serve</c> and Ccfs.Testing's test server do).
    /// </summary>
    /// <param name="args">The server's configuration arguments (<c>--urls</c>, <c>--Ccfs:…=…</c>).</param>
    /// <param name="ephemeral">The data dir when it is a temporary one of this run, which allows the rehearsal's reset.</param>
    /// <param name="configure">Changes to the builder before it is built (logging, for a test server).</param>
    /// <exception cref="CcfsConfigurationException">The configuration has problems; the message lists them.</exception>
    /// <exception cref="CcfsStartupException">The server cannot start; the message, beginning "ccfs cannot start:", says why.</exception>
    public static async Task<WebApplication> StartAsync(string[] args, EphemeralDataDir? ephemeral = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(WithoutConfigurationWatching(args));
        builder.AddCcfsServer();
        if (ephemeral is not null)
        {
            builder.Services.AddSingleton(ephemeral);
        }

        configure?.Invoke(builder);

        WebApplication app;
        CcfsSettings settings;
        try
        {
            // Building the host already reads settings (the shutdown timeout), so a bad configuration can surface here too.
            app = builder.Build();
            settings = app.Services.GetRequiredService<CcfsSettings>();
            StartupCheck.Run(settings);
            // So an unusable master key file stops the start with its message, not later inside a hosted service.
            app.Services.GetRequiredService<MasterKey>();
        }
        catch (CcfsStartupException e)
        {
            throw new CcfsStartupException("ccfs cannot start: " + e.Message, e);
        }

        LogStarting(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CcfsServerHost).FullName!), CcfsVersion.Describe(),
            Environment.ProcessId, System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        app.MapCcfsServer(settings);
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (StartupFailure.Describe(e, settings, app.Services.GetRequiredService<Catalog.CatalogProvider>()) is { } failure)
        {
            var full = StartupFailure.DataDirFull(settings);
            var transient = StartupFailure.IsTransient(e, full, app.Services.GetRequiredService<Catalog.CatalogProvider>());
            await app.DisposeAsync();
            throw new CcfsStartupException("ccfs cannot start: " + failure + (full is null ? "" : $" ({full})"), e, transient);
        }

        return app;
    }

    /// <summary>
    /// Configuration is read once. Watching appsettings.json for changes puts a recursive file watch on the folder the
    /// server was started in, which usually holds the data dir (./ccfs-data), so every upload would wake the watcher.
    /// </summary>
    internal static string[] WithoutConfigurationWatching(string[] args) => [.. args, "--hostBuilder:reloadConfigOnChange=false"];

    [LoggerMessage(LogLevel.Information, "ccfs {Version} starting (process {ProcessId}, {Runtime})")]
    private static partial void LogStarting(ILogger logger, string version, int processId, string runtime);
}
