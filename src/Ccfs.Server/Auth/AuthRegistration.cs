using Ccfs.Protocol.Auth;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Auth;

public static class AuthRegistration
{
    /// <summary>Who may call: accounts and their sealed secrets, the auth-v2 verifier, the IP lock and the replay guard.</summary>
    public static IServiceCollection AddAuth(this IServiceCollection services)
    {
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
                Diagnostics = auth.Diagnostics,
            }, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IRequestAuthenticator, RequestAuthenticator>();
        return services;
    }
}
