namespace Ccfs.Server.Faults;

public static class FaultRegistration
{
    /// <summary>The fault rules in force (with those of <c>--faults</c> loaded at start) and their injection at admission.</summary>
    public static IServiceCollection AddFaults(this IServiceCollection services)
    {
        services.AddSingleton<FaultRules>();
        services.AddSingleton<FaultInjector>();
        services.AddHostedService<FaultFile>();
        return services;
    }
}
