using Ccfs.Client;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="CcfsClient"/> with IHttpClientFactory.</summary>
public static class CcfsClientServiceCollectionExtensions
{
    public static IHttpClientBuilder AddCcfsClient(this IServiceCollection services, Action<CcfsClientOptions> configure)
    {
        services.Configure(configure);
        services.AddTransient(sp => new CcfsClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(CcfsClient)),
            sp.GetRequiredService<IOptions<CcfsClientOptions>>().Value));
        return services.AddHttpClient(nameof(CcfsClient))
            .ConfigurePrimaryHttpMessageHandler(sp => CcfsHttpHandler.Create(sp.GetRequiredService<IOptions<CcfsClientOptions>>().Value));
    }
}
