using Ccfs.Protocol;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Admin;

/// <summary>The administration API under <c>/admin/api</c>; every endpoint is behind <see cref="AdminAuth"/>.</summary>
public static class AdminApi
{
    public const string Tag = "Administration";

    public static void Map(WebApplication app)
    {
        var admin = app.MapGroup(InterfaceCallMiddleware.AdminPath).AddEndpointFilter(AdminFailures.FilterAsync)
            .AddEndpointFilter(AdminAuth.FilterAsync).WithTags(Tag)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(AdminError), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(SpringError), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(AdminError), ["application/json"]));
        ParameterEndpoints.Map(admin);
        AccountEndpoints.Map(admin);
        AuditEndpoints.Map(admin);
        ScrubEndpoints.Map(admin);
        IpLockEndpoints.Map(admin);
        FaultEndpoints.Map(admin);
        JournalEndpoints.Map(admin);
        SeedEndpoints.Map(admin, app.Services.GetRequiredService<Configuration.CcfsSettings>());
        FileEndpoints.Map(admin, app.Services.GetRequiredService<Configuration.CcfsSettings>());
        SubscriptionEndpoints.Map(admin);
        EventEndpoints.Map(admin);
        RetentionEndpoints.Map(admin);
        AdminPage.Map(app);
    }
}
