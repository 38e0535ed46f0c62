using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ccfs.Tests;

/// <summary>A tiny HTTP endpoint on a free loopback port that answers as the test says, however wrongly.</summary>
public sealed class FakeEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeEndpoint(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public static async Task<FakeEndpoint> StartAsync(RequestDelegate answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(answer);
        await app.StartAsync();
        // Once started, Urls holds the port the system chose for :0.
        return new FakeEndpoint(app, app.Urls.Single());
    }

    /// <summary>The environment of a CLI user pointed at this endpoint.</summary>
    public Dictionary<string, string?> Environment() => new()
    {
        ["CCFS_ENDPOINT"] = Endpoint,
        ["CCFS_ACCESS_KEY"] = CcfsFactory.AccessKey,
        ["CCFS_SECRET_KEY"] = CcfsFactory.SecretKey,
        ["CCFS_VDN"] = "53",
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
