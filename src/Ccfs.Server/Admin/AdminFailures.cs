using Ccfs.Server.Storage;

namespace Ccfs.Server.Admin;

/// <summary>
/// A catalog or storage failure under an admin endpoint (disk full, read-only database, lock timeout) is answered
/// <c>503</c> with <c>Retry-After</c> and a JSON body saying so, as the CC-FS interfaces answer <c>0300503</c>; never an
/// empty 500.
/// </summary>
public static partial class AdminFailures
{
    public const int RetryAfterSeconds = 5;

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (StorageFailure.Is(e))
        {
            var http = context.HttpContext;
            LogFailed(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminFailures).FullName!), e,
                http.Request.Method, http.Request.Path.Value ?? "");
            return AdminResults.Unavailable($"the catalog or a location cannot be written now ({e.Message.TrimEnd('.')}); "
                + "nothing was changed or the change is finished in the background; try again later");
        }
    }

    [LoggerMessage(LogLevel.Error, "Admin {Method} {Path} failed on the catalog or a location; answered 503")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string path);
}
