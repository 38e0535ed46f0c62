using Ccfs.Server.Audit;
using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Events;
using Ccfs.Server.Faults;
using Ccfs.Server.Health;
using Ccfs.Server.Hosting;
using Ccfs.Server.Http;
using Ccfs.Server.Interfaces;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Quotas;
using Ccfs.Server.Seeding;
using Ccfs.Server.Storage;

namespace Ccfs.Server;

/// <summary>
/// How the rooms are wired: each registers its own services and maps its own routes, so a feature edits its room, not
/// this file. Hosted services start in the order registered: start-up recovery (which migrates the catalog) before the
/// catalog's background work, the audit trail after both.
/// </summary>
public static class CcfsServer
{
    public static WebApplicationBuilder AddCcfsServer(this WebApplicationBuilder builder)
    {
        builder.AddCcfsHosting();
        builder.Services
            .AddObservability()
            .AddApiReference()
            .AddCatalog()
            .AddParameters()
            .AddAuth()
            .AddAdmission()
            .AddFaults()
            .AddLocations()
            .AddLifecycle()
            .AddSeeding()
            .AddAudit()
            .AddEvents()
            .AddQuotas()
            .AddReadiness();
        builder.AddDefaultListener();
        return builder;
    }

    public static WebApplication MapCcfsServer(this WebApplication app, CcfsSettings settings)
    {
        app.UseTrustedProxyHeader(settings.Auth);
        app.UseObservability();

        // Routing and the framework answer 404, 405 and 500 without a body; CC-FS clients expect Spring's error JSON.
        app.UseStatusCodePages(context => CcfsResults.WriteSpringErrorAsync(context.HttpContext, context.HttpContext.Response.StatusCode));

        app.MapHealth();
        app.MapApiReference();
        Landing.LandingPage.Map(app);
        app.MapCcfsInterfaces(settings);
        Admin.AdminApi.Map(app);
        return app;
    }
}
