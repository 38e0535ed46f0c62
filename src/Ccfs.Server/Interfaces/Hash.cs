using Ccfs.Protocol;
using Ccfs.Protocol.Wire;
using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Http;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Observability;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Interfaces;

/// <summary>
/// <c>POST /CCFS/resource/ccfs/ivr/getFileHash</c> (spec §1.4): the digest of the bytes stored in a location (by
/// default the first that holds the file), read from disk, not remembered, so corruption shows. A copy that disagrees
/// with the catalog is logged and counted.
/// </summary>
public static class Hash
{
    public static void Map(RouteGroupBuilder ivr) => ivr.MapPost("/getFileHash", HandleAsync)
        .DescribedAs<FileMsgBody, FileHashData>("getFileHash", "Hash a stored file",
            "The lower-case hex SHA-256 (configurable) of the bytes stored now in a location, read from disk.");

    private static async Task<IResult> HandleAsync(HttpContext http, SignedRequestReader reader, IParameterSource parameters,
        AccountFlowControl flowControl, LocationSet locations, IFileCatalog catalog, CcfsSettings settings, IntegrityMetrics integrity)
    {
        var admission = await reader.ReadPathRequestAsync(http, AdmissionPolicy.PathRequest, WireNames.FileName);
        if (admission.Refusal is { } refusal)
        {
            return refusal;
        }

        using var request = admission.Request!;
        if (!flowControl.TryHash(request.Account.AccessKey, out var retryAfter))
        {
            return CcfsResults.RetryAfter(CcfsResults.Answer(CcfsResult.QueryFlowControl, $"more than {settings.Limits.Hash.PermitLimit} hash "
                + $"requests in {settings.Limits.Hash.Window.TotalSeconds:0.###} s for this access key"), retryAfter);
        }

        if (!UploadedFileRequest.TryRead(request, parameters, locations, InterfaceCall.Of(http), out var target, out var invalid))
        {
            return invalid!;
        }

        var (fileName, path, only) = target;
        try
        {
            var record = await catalog.FindAsync(path.Path, CancellationToken.None);
            foreach (var store in only is null ? CatalogCopiesFirst(locations, record) : [only])
            {
                var listed = record?.Locations.Contains(store.LocationId) == true;
                if (!listed && await catalog.IsBeingDeletedAsync(path.Path, store.LocationId, CancellationToken.None))
                {
                    // Bytes a delete has not removed yet (or could not: recovery will) are no longer the file's.
                    continue;
                }

                await using var content = await store.OpenReadAsync(path.StoragePath, CancellationToken.None);
                if (content is null)
                {
                    if (listed && await StillListedAsync(catalog, path.Path, store.LocationId))
                    {
                        integrity.Missing(store.LocationId, path.Path);
                    }

                    continue;
                }

                var (_, sha256, digest) = await CopyDigest.ComputeAsync(content, HashAlgorithms.Parse(settings.Compatibility.HashAlgorithm),
                    CancellationToken.None);
                if (listed && sha256 != record!.Sha256)
                {
                    integrity.Corrupt(store.LocationId, path.Path, record.Sha256, sha256);
                }

                return CcfsResults.Success(CcfsResult.Success, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString(WireNames.FileName, fileName);
                    writer.WriteString(settings.Compatibility.HashField, digest);
                    writer.WriteEndObject();
                });
            }
        }
        catch (Exception e) when (StorageAnswers.For(e, WireNames.FileName, "the file could not be read") is { } answer)
        {
            return answer;
        }

        return CcfsResults.Answer(CcfsResult.FileNotFound, only is null ? null : $"location {only.LocationId} holds no copy");
    }

    /// <summary>
    /// A copy found missing is an integrity problem only if the catalog still lists it: a delete that ran meanwhile
    /// removes the bytes after it marks the row, so reading the catalog again tells the two apart.
    /// </summary>
    private static async Task<bool> StillListedAsync(IFileCatalog catalog, string path, string locationId) =>
        (await catalog.FindAsync(path, CancellationToken.None))?.Locations.Contains(locationId) == true;

    /// <summary>The locations the catalog lists first, in configured order, then the others (files placed by hand).</summary>
    private static IEnumerable<IFileStore> CatalogCopiesFirst(LocationSet locations, FileRecord? record) =>
        locations.Stores.OrderBy(s => record?.Locations.Contains(s.LocationId) == true ? 0 : 1);
}
