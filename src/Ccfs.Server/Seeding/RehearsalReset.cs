using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;
using Ccfs.Server.Hosting;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Seeding;

/// <param name="Files">Catalog rows forgotten.</param>
/// <param name="Removed">Files removed from each location, by location id.</param>
public sealed record ResetReport(int Files, IReadOnlyDictionary<string, int> Removed);

/// <summary>
/// <c>POST /admin/api/reset</c>: forgets every file in the catalog and empties every location, so a test suite starts
/// each case from nothing. Only where the data is a rehearsal's: in the development setup (no account, every listener on
/// loopback) or with <c>--ephemeral</c>; anywhere else it is refused, since it would destroy real prompts.
/// </summary>
public sealed partial class RehearsalReset(CcfsSettings settings, CatalogReset catalog, LocationSet locations, ILogger<RehearsalReset> logger,
    EphemeralDataDir? ephemeral = null)
{
    public bool Allowed { get; } = settings.UsesDevelopmentAccount || ephemeral is not null;

    public const string Refused = "reset empties the catalog and every location, so it is allowed only in the development setup "
        + "(no account configured, every listener on loopback) or on a server started with --ephemeral";

    public async Task<ResetReport> ResetAsync(string accessKey)
    {
        if (!Allowed)
        {
            throw new InvalidOperationException(Refused);
        }

        var files = await catalog.ForgetAllFilesAsync();
        var removed = new Dictionary<string, int>();
        foreach (var store in locations.Stores)
        {
            removed[store.LocationId] = await store.ClearAsync(CancellationToken.None);
        }

        LogReset(logger, files, removed.Values.Sum(), accessKey);
        return new ResetReport(files, removed);
    }

    [LoggerMessage(LogLevel.Warning, "Reset by {AccessKey}: {Files} catalog row(s) forgotten, {Removed} file(s) removed from the locations")]
    private static partial void LogReset(ILogger logger, int files, int removed, string accessKey);
}
