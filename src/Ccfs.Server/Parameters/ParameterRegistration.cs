namespace Ccfs.Server.Parameters;

public static class ParameterRegistration
{
    /// <summary>The run-time parameters in force, global and per VDN, kept equal to the catalog's.</summary>
    public static IServiceCollection AddParameters(this IServiceCollection services)
    {
        services.AddSingleton<RuntimeParameters>();
        services.AddSingleton<IParameterSource>(sp => sp.GetRequiredService<RuntimeParameters>());
        return services;
    }
}
