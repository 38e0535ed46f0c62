using Ccfs.Server.Configuration;
using Ccfs.Server.Observability;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ccfs.Server.Http;

public static class AdmissionRegistration
{
    /// <summary>What a request meets before an interface runs: Kestrel's limits and receive pools, body buffers, the signed-request reader, the slots.</summary>
    public static IServiceCollection AddAdmission(this IServiceCollection services)
    {
        services.AddOptions<KestrelServerOptions>().Configure<CcfsSettings, CcfsMetrics, ILoggerFactory>((kestrel, settings, metrics, loggers) =>
            KestrelLimits.Apply(kestrel, settings, metrics, loggers));
        services.AddSingleton<IMemoryPoolFactory<byte>>(sp => new LargeBlockMemoryPoolFactory(metrics: sp.GetRequiredService<CcfsMetrics>()));
        services.AddSingleton(sp => new BodyBufferPool(sp.GetRequiredService<CcfsSettings>().Limits.MaxConcurrentUploads));
        services.AddSingleton<SignedRequestReader>();
        services.AddSingleton<AccountFlowControl>();
        services.AddSingleton<UploadSlots>();
        services.AddSingleton<DeleteSlots>();
        return services;
    }
}
