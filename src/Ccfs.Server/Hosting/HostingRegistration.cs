using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging.Console;

namespace Ccfs.Server.Hosting;

public static class HostingRegistration
{
    /// <summary>
    /// Where settings come from and what the host does with them: the checked <see cref="CcfsSettings"/>, the log format,
    /// the shutdown timeout, the clock.
    /// </summary>
    public static WebApplicationBuilder AddCcfsHosting(this WebApplicationBuilder builder)
    {
        // The server's defaults (log levels) go first, then an appsettings.json next to its assembly (the published
        // binary's folder), so everything else overrides them: the content root's appsettings.json (where the server
        // was started, and where ./ccfs-data lives), environment variables and the command line.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = ServerDefaults.Configuration });
        builder.Configuration.Sources.Insert(1, new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        });
        builder.Logging.AddConsoleFormatter<CompactConsoleFormatter, ConsoleFormatterOptions>();
        var services = builder.Services;
        services.AddOptions<ConsoleLoggerOptions>().PostConfigure<IConfiguration>((options, configuration) =>
            options.FormatterName = LogFormat.FormatterFor(configuration[LogFormat.ConfigurationKey], outputIsTerminal: !Console.IsOutputRedirected));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => CcfsSettings.Load(sp.GetRequiredService<IConfiguration>()));
        services.AddOptions<HostOptions>().Configure<CcfsSettings>((options, settings) => options.ShutdownTimeout = settings.Limits.ShutdownTimeout);
        return builder;
    }

    /// <summary>
    /// The default listener when none is configured. Registered after Kestrel's limits: a listener made with
    /// <c>Listen</c> takes the endpoint defaults (the per-address connection share) that exist when it is made.
    /// </summary>
    public static WebApplicationBuilder AddDefaultListener(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel((context, kestrel) => DefaultListener.Configure(context.Configuration, kestrel));
        return builder;
    }
}
