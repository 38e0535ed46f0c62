using Ccfs.Server.Observability;

namespace Ccfs.Server.Audit;

public static class AuditRegistration
{
    /// <summary>The audit trail: every interface call, queued and written to the catalog in batches.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IInterfaceCallSink>(sp => sp.GetRequiredService<AuditTrail>());
        services.AddHostedService(sp => sp.GetRequiredService<AuditTrail>());
        return services;
    }
}
