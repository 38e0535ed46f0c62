namespace Ccfs.Server.Hosting;

/// <summary>
/// Configuration the server starts from, below every other source. In code rather than in a file, so <c>ccfs serve</c>
/// (where the server is a library of the CLI tool) starts exactly as <c>Ccfs.Server</c> does.
/// </summary>
public static class ServerDefaults
{
    public static IReadOnlyDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        // Npgsql logs every command at Information: a line per catalog statement would bury the request lines.
        ["Logging:LogLevel:Npgsql"] = "Warning",
        // A failed start is the one line the server prints itself (CcfsServerHost). A background service that fails
        // later is still logged, as a Critical line with its exception.
        ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
        // The JSON lines' options; the text format has its own short time.
        ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ",
        ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
    };
}
