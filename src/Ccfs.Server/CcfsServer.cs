using System.Net;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;
using Ccfs.Server.Audit;
using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;
using Ccfs.Server.Health;
using Ccfs.Server.Hosting;
using Ccfs.Server.Http;
using Ccfs.Server.Interfaces;
using Ccfs.Server.Metadata;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using Prometheus;

namespace Ccfs.Server;

/// <summary>How the pieces are wired: services, listeners, middleware and the CC-FS routes.</summary>
public static class CcfsServer
{
    public static WebApplicationBuilder AddCcfsServer(this WebApplicationBuilder builder)
    {
        // The server's defaults (log levels) go first, then an appsettings.json next to its assembly (the published
        // binary's folder), so everything else overrides them: the content root's appsettings.json (where the server
        // was started, and where ./ccfs-data lives), environment variables and the command line.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = ServerDefaults.Configuration,
        });
        builder.Configuration.Sources.Insert(1, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
        });
        builder.Logging.AddConsoleFormatter<CompactConsoleFormatter, ConsoleFormatterOptions>();
        builder.Services.AddOptions<ConsoleLoggerOptions>().PostConfigure<IConfiguration>((options, configuration) =>
            options.FormatterName = LogFormat.FormatterFor(configuration[LogFormat.ConfigurationKey], outputIsTerminal: !Console.IsOutputRedirected));
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CcfsMetrics>();
        services.AddOptions<HostOptions>().Configure<CcfsSettings>((options, settings) => options.ShutdownTimeout = settings.Limits.ShutdownTimeout);
        services.AddOpenApi(options => options.DescribeSigning().AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ccfs";
            document.Info.Version = CcfsVersion.Version;
            document.Info.Description = "The CC-FS third-party IVR file interfaces (auth-v2 signed) and ccfs's administration API.";
            return Task.CompletedTask;
        }));
        services.AddSingleton(sp => CcfsSettings.Load(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton(sp => new NodeIdentity(sp.GetRequiredService<CcfsSettings>().Node.Name ?? Environment.MachineName));
        services.AddCatalog();

        services.AddSingleton<RuntimeParameters>();
        services.AddSingleton<IParameterSource>(sp => sp.GetRequiredService<RuntimeParameters>());
        services.AddSingleton<CatalogSync>();
        services.AddSingleton(sp => MasterKey.Load(sp.GetRequiredService<CcfsSettings>()));
        services.AddSingleton<AccountDirectory>();
        services.AddSingleton<IpLockout>();
        services.AddSingleton<ReplayGuard>();
        services.AddSingleton(sp =>
        {
            var auth = sp.GetRequiredService<CcfsSettings>().Auth;
            return new AuthV2Verifier(new AuthV2VerifierOptions
            {
                MaxClockSkew = auth.MaxClockSkew,
                RequireHostSigned = auth.RequireHostSigned,
                RetryWithoutQueryLine = auth.RetryWithoutQueryLine,
            }, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IRequestAuthenticator, RequestAuthenticator>();
        services.AddSingleton(sp => new BodyBufferPool(sp.GetRequiredService<CcfsSettings>().Limits.MaxConcurrentUploads));
        services.AddSingleton<SignedRequestReader>();
        services.AddSingleton<AccountFlowControl>();
        services.AddSingleton<IntegrityMetrics>();
        services.AddLocations();
        services.AddSingleton<WorkInProgress>();
        services.AddSingleton<WorkRecovery>();
        services.AddSingleton<FileRemoval>();
        services.AddSingleton<Scrubber>();
        services.AddSingleton<PromptWriter>();
        services.AddHostedService<StartupRecovery>();
        services.AddHostedService<CatalogBackground>();
        services.AddHostedService<RecoverySweeper>();
        services.AddHostedService<CatalogWatcher>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IInterfaceCallSink>(sp => sp.GetRequiredService<AuditTrail>());
        services.AddHostedService(sp => sp.GetRequiredService<AuditTrail>());
        services.AddHostedService<ConnectionMetrics>();

        services.AddSingleton<UploadSlots>();
        services.AddSingleton<DeleteSlots>();
        services.AddSingleton<LockedRequestLog>();
        services.AddOptions<KestrelServerOptions>().Configure<CcfsSettings, ILoggerFactory>((kestrel, settings, loggers) =>
            KestrelLimits.Apply(kestrel, settings, loggers.CreateLogger(typeof(KestrelLimits).FullName!)));
        services.AddSingleton<IMemoryPoolFactory<byte>>(sp => new LargeBlockMemoryPoolFactory(metrics: sp.GetRequiredService<CcfsMetrics>()));

        services.AddHealthChecks();
        services.AddOptions<HealthCheckServiceOptions>().Configure<CcfsSettings>((options, settings) =>
        {
            options.Registrations.Add(new HealthCheckRegistration("catalog",
                sp => new CatalogHealthCheck(sp.GetRequiredService<IFileCatalog>()), HealthStatus.Unhealthy, [ReadinessReport.Tag]));
            foreach (var location in settings.Locations)
            {
                options.Registrations.Add(new HealthCheckRegistration($"location:{location.Id}",
                    sp => new LocationHealthCheck(sp.GetRequiredService<LocationSet>().Find(location.Id)!), HealthStatus.Unhealthy,
                    [ReadinessReport.Tag]));
            }
        });

        builder.WebHost.ConfigureKestrel((context, kestrel) => DefaultListener.Configure(context.Configuration, kestrel));
        return builder;
    }

    public static WebApplication MapCcfsServer(this WebApplication app, CcfsSettings settings)
    {
        if (settings.Auth.TrustedProxyHeader is { Length: > 0 } header)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor, ForwardedForHeaderName = header };
            if (settings.Auth.TrustedProxies.Count > 0)
            {
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
            }

            foreach (var proxy in settings.Auth.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(proxy, out var network)
                    ? network
                    : new System.Net.IPNetwork(IPAddress.Parse(proxy), IPAddress.Parse(proxy).GetAddressBytes().Length * 8));
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.UseMiddleware<InterfaceCallMiddleware>();

        // Routing and the framework answer 404, 405 and 500 without a body; CC-FS clients expect Spring's error JSON.
        app.UseStatusCodePages(context => CcfsResults.WriteSpringErrorAsync(context.HttpContext, context.HttpContext.Response.StatusCode));

        app.MapHealthChecks("/livez", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapMetrics("/metrics", app.Services.GetRequiredService<CcfsMetrics>().Registry);
        Landing.LandingPage.Map(app);
        app.MapOpenApi();
        ApiReference.MapScalar(app);
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessReport.Tag),
            ResponseWriter = ReadinessReport.WriteAsync,
        });

        var ivr = app.MapGroup(CcfsPaths.Base).AddEndpointFilter(RequireExactPath);
        Upload.Map(ivr, settings.Compatibility);
        Delete.Map(ivr);
        Hash.Map(ivr);
        Download.Map(ivr);
        Admin.AdminApi.Map(app);
        return app;
    }

    /// <summary>CC-FS runs in a Java servlet container, where paths are case-sensitive; ASP.NET routing is not.</summary>
    private static async ValueTask<object?> RequireExactPath(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.GetEndpoint() is RouteEndpoint { RoutePattern: RoutePattern pattern }
            && !string.Equals(http.Request.Path.Value, pattern.RawText, StringComparison.Ordinal))
        {
            return CcfsResults.Spring(StatusCodes.Status404NotFound, "paths are case-sensitive");
        }

        return await next(context);
    }
}
