using Ccfs.Server.Catalog;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;

namespace Ccfs.Server.Admin;

/// <summary>A prompt the admin page named: its checked path and catalog row, or the answer that refuses the name.</summary>
public readonly record struct StoredPrompt(LogicalPath? Path, FileRecord? Record, IResult? Refusal);

/// <summary>
/// Resolves the <c>fileName</c> query parameter of the admin file endpoints by the catalog, not by the path rules in
/// force: a prompt stored under an earlier upload rule or drive letter stays playable and deletable here. The name is
/// checked lexically by <see cref="LogicalPath"/> (so it names nothing outside a location) and must be the name the
/// catalog gave the stored file, drive letter included.
/// </summary>
public static class StoredPrompts
{
    public static async Task<StoredPrompt> FindAsync(HttpContext http, IParameterSource parameters, IFileCatalog catalog)
    {
        var call = InterfaceCall.Of(http);
        var fileName = AdminQuery.Text(http, "fileName") ?? "";
        if (fileName.Length == 0)
        {
            return Refused(AdminResults.Invalid("the fileName query parameter is missing"));
        }

        call?.File = fileName;
        var drive = char.IsAsciiLetter(fileName[0]) ? char.ToUpperInvariant(fileName[0]) : parameters.Global.DriveLetter;
        if (!LogicalPath.TryParse(fileName, drive, out var path, out var reason))
        {
            return Refused(AdminResults.Invalid($"fileName is not a stored prompt's name: {reason}"));
        }

        var record = await catalog.FindAsync(path!.Path, http.RequestAborted);
        if (record is null || char.ToUpperInvariant(record.FileName[0]) != drive)
        {
            // The name was well formed: its path goes with the refusal, for callers that look further (a recording).
            return new StoredPrompt(path, null, AdminResults.NotFound($"{fileName} is not stored"));
        }

        call?.VdnId = record.VdnId;
        return new StoredPrompt(path, record, null);
    }

    private static StoredPrompt Refused(IResult refusal) => new(null, null, refusal);
}
