using Ccfs.Protocol;
using Ccfs.Server.Configuration;
using Ccfs.Server.Http;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Ccfs.Server.Interfaces;

public static class CcfsInterfaces
{
    /// <summary>The four CC-FS interfaces under <c>/CCFS/resource/ccfs/ivr</c>, with paths matched exactly.</summary>
    public static void MapCcfsInterfaces(this WebApplication app, CcfsSettings settings)
    {
        var ivr = app.MapGroup(CcfsPaths.Base).AddEndpointFilter(RequireExactPath);
        Upload.Map(ivr, settings.Compatibility);
        Delete.Map(ivr);
        Hash.Map(ivr);
        Download.Map(ivr);
    }

    /// <summary>CC-FS runs in a Java servlet container, where paths are case-sensitive; ASP.NET routing is not.</summary>
    private static async ValueTask<object?> RequireExactPath(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.GetEndpoint() is RouteEndpoint { RoutePattern: RoutePattern pattern }
            && !string.Equals(http.Request.Path.Value, pattern.RawText, StringComparison.Ordinal))
        {
            return CcfsResults.Spring(StatusCodes.Status404NotFound, "paths are case-sensitive");
        }

        return await next(context);
    }
}
