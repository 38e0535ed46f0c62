using Ccfs.Server.Lifecycle;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Admin;

/// <summary>
/// <c>POST /admin/api/scrub[?repair=true]</c>: checks every stored file's copies against the catalog (size and SHA-256)
/// and answers with the <see cref="ScrubReport"/> when done. With <c>repair=true</c>, bad copies are rewritten from a
/// healthy one. One scrub at a time: a second request while one runs is refused with 409.
/// </summary>
public static class ScrubEndpoints
{
    public static void Map(RouteGroupBuilder admin) => admin.MapPost("/scrub", ScrubAsync)
        .WithName("scrub").WithSummary("Check every stored copy against the catalog; with repair=true, rewrite bad copies from a healthy one")
        .Produces<ScrubReport>()
        .Produces<AdminError>(StatusCodes.Status409Conflict);

    private static async Task<IResult> ScrubAsync(HttpContext http, Scrubber scrubber)
    {
        var repair = false;
        if (AdminQuery.Text(http, "repair") is { } text && !bool.TryParse(text, out repair))
        {
            return AdminResults.Invalid("repair must be true or false");
        }

        if (Observability.InterfaceCall.Of(http) is { } call)
        {
            call.File = repair ? "repair=true" : "repair=false";
        }

        // Repairs are not undone half-way because the caller went away; the scrub runs to the end.
        var report = await scrubber.TryRunAsync(repair, null, CancellationToken.None);
        return report is null ? AdminResults.Conflict("a scrub is already running") : AdminResults.Ok(report);
    }
}
