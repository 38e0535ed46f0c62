using Ccfs.Server.Observability;

namespace Ccfs.Server.Lifecycle;

/// <summary>
/// Records copies whose bytes disagree with the catalog (<c>corrupt</c>) or that the catalog lists but the location
/// lacks (<c>missing</c>): logged, and counted in <c>ccfs_integrity_problems_total</c> by location and kind.
/// </summary>
public sealed partial class IntegrityMetrics(CcfsMetrics metrics, ILogger<IntegrityMetrics> logger)
{
    public void Corrupt(string locationId, string path, string expected, string actual)
    {
        metrics.IntegrityProblems.WithLabels(locationId, "corrupt").Inc();
        LogCorrupt(logger, path, locationId, expected, actual);
    }

    public void Missing(string locationId, string path)
    {
        metrics.IntegrityProblems.WithLabels(locationId, "missing").Inc();
        LogMissing(logger, path, locationId);
    }

    [LoggerMessage(LogLevel.Error, "{Path} in location {Location} is corrupt: SHA-256 {Actual}, the catalog says {Expected}")]
    private static partial void LogCorrupt(ILogger logger, string path, string location, string expected, string actual);

    [LoggerMessage(LogLevel.Error, "{Path} is missing from location {Location}, which the catalog says holds a copy")]
    private static partial void LogMissing(ILogger logger, string path, string location);
}
