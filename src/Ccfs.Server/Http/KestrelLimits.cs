using Ccfs.Server.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ccfs.Server.Http;

/// <summary><c>Ccfs:Limits</c> applied to Kestrel: the rate below which a request body is dropped.</summary>
public static class KestrelLimits
{
    public static void Apply(KestrelServerOptions kestrel, CcfsSettings settings)
    {
        var limits = settings.Limits;
        kestrel.Limits.MinRequestBodyDataRate = limits.MinRequestBodyRate == 0
            ? null
            : new MinDataRate(limits.MinRequestBodyRate, limits.MinRequestBodyRateGracePeriod);
    }
}
