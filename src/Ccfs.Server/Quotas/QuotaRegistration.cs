namespace Ccfs.Server.Quotas;

public static class QuotaRegistration
{
    /// <summary>Quotas' metrics (the catalog enforces them) and the retention sweeper.</summary>
    public static IServiceCollection AddQuotas(this IServiceCollection services)
    {
        services.AddSingleton<QuotaMetrics>();
        services.AddSingleton(sp => sp.GetRequiredService<Configuration.CcfsSettings>().Retention);
        services.AddSingleton<RetentionCandidates>();
        services.AddSingleton<RetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionSweeper>());
        return services;
    }
}
