using Microsoft.Extensions.Logging;

namespace Ccfs.Testing;

/// <summary>How <see cref="CcfsTestServer.StartAsync"/> starts its server, beyond the development setup it always has.</summary>
public sealed class CcfsTestServerOptions
{
    /// <summary>Configuration keys of the server (docs/configuration.md), such as <c>Ccfs:Journal:Size</c>.</summary>
    public Dictionary<string, string> Configuration { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A seed folder placed before the first request (<c>uploads/{vdn}/*</c>, <c>recordings/{path}</c>).</summary>
    public string? SeedFolder { get; set; }

    /// <summary>A JSON file of fault rules put in force before the first request.</summary>
    public string? FaultsFile { get; set; }

    /// <summary>The least level the server logs to the console; by default warnings, so test output stays readable.</summary>
    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;

    /// <summary>Sets one configuration key; returns the options, to chain.</summary>
    public CcfsTestServerOptions Configure(string key, string value)
    {
        Configuration[key] = value;
        return this;
    }
}
