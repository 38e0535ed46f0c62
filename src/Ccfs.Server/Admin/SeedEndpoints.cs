using Ccfs.Server.Configuration;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;
using Ccfs.Server.Seeding;

namespace Ccfs.Server.Admin;

/// <param name="Data">The file's bytes (Base64 in JSON).</param>
public sealed record SeedUploadBody(int VdnId, string Name, byte[] Data);

/// <param name="FilePath">Where downloadFile finds it, such as <c>Y:/voice/1/IVRrecordFile/20261201/100001-record.wav</c>.</param>
public sealed record SeedRecordingBody(string FilePath, byte[] Data);

public sealed record SeedBody(IReadOnlyList<SeedUploadBody>? Uploads, IReadOnlyList<SeedRecordingBody>? Recordings);

/// <summary>
/// <c>POST /admin/api/seed</c> places files as <c>--seed</c> does: uploads as if uploadFile had stored them, recordings
/// under the download rule folders as the IVR writes them; a seed with a problem places nothing (400). <c>POST
/// /admin/api/reset</c> forgets every file and empties every location, only in the development setup or with
/// <c>--ephemeral</c> (409 otherwise).
/// </summary>
public static class SeedEndpoints
{
    public static void Map(RouteGroupBuilder admin, CcfsSettings settings)
    {
        admin.MapPost("/seed", SeedAsync)
            .WithName("seed").WithSummary("Place uploads (as uploadFile stores them, under their own names) and recordings (as the IVR writes them)")
            .WithJsonBody<SeedBody>()
            .Produces<SeedReport>()
            // Its body holds files, like an admin upload's.
            .WithMetadata(new AdminBodyLimit(settings.Admin.MaxUploadMb * 1024L * 1024L, Slot: SlotKind.Upload));
        admin.MapPost("/reset", ResetAsync)
            .WithName("reset").WithSummary("Forget every file and empty every location (development setup or --ephemeral only)")
            .Produces<ResetReport>()
            .Produces<AdminError>(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> SeedAsync(HttpContext http, Seeder seeder)
    {
        if (!AdminResults.TryReadBody<SeedBody>(http, out var body, out var refusal))
        {
            return refusal!;
        }

        var uploads = (body.Uploads ?? []).Select((u, i) => new SeedUpload(u.VdnId, u.Name ?? "", u.Data ?? [], $"uploads[{i}]")).ToList();
        var recordings = (body.Recordings ?? []).Select((r, i) => new SeedRecording(r.FilePath ?? "", r.Data ?? [], $"recordings[{i}]")).ToList();
        InterfaceCall.Of(http)?.File = $"seed: {uploads.Count} upload(s), {recordings.Count} recording(s)";
        var report = await seeder.SeedAsync(uploads, recordings, AdminAuth.Request(http).Account.AccessKey);
        return report.Problems.Count > 0 ? AdminResults.Invalid("nothing was seeded", report.Problems) : AdminResults.Ok(report);
    }

    private static async Task<IResult> ResetAsync(HttpContext http, RehearsalReset reset)
    {
        InterfaceCall.Of(http)?.File = "reset";
        return reset.Allowed
            ? AdminResults.Ok(await reset.ResetAsync(AdminAuth.Request(http).Account.AccessKey))
            : AdminResults.Conflict(RehearsalReset.Refused);
    }
}
