using Ccfs.Protocol.Wire;
using Ccfs.Server.Auth;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Interfaces;

/// <summary>What deleteFile and getFileHash take: a file in the caller's upload folder, and perhaps one location.</summary>
public readonly record struct UploadedFileRequest(string FileName, LogicalPath Path, IFileStore? Location)
{
    /// <summary>Reads <c>fileName</c> and <c>locationId</c> and applies the path and tenancy rules; false with the refusal.</summary>
    public static bool TryRead(SignedRequest request, IParameterSource parameters, LocationSet locations, InterfaceCall? call,
        out UploadedFileRequest target, out IResult? refusal)
    {
        target = default;
        var body = request.Body.Span;
        if (MsgBody.ReadPathEnvelope(body, WireNames.FileName, WireNames.LocationId, out var fileName, out var locationValue, out var reason) is { } invalid)
        {
            refusal = CcfsResults.Answer(invalid, reason);
            return false;
        }

        call?.File = fileName;
        var verdict = TenantPaths.Check(fileName, WireNames.FileName, PathUse.UploadedFile, parameters, request.Account);
        verdict.Describe(call);
        if (!verdict.IsAllowed)
        {
            refusal = verdict.ToRefusal();
            return false;
        }

        if (MsgBody.OptionalLocation(body, locationValue, locations, out var location) is { } badLocation)
        {
            refusal = CcfsResults.Answer(badLocation, $"locations are {string.Join(", ", locations.Ids)}");
            return false;
        }

        target = new UploadedFileRequest(fileName, verdict.Path!, location);
        refusal = null;
        return true;
    }
}
