using System.Diagnostics.Metrics;

namespace Ccfs.Server.Storage;

/// <summary>
/// Counts copies whose bytes disagree with the catalog (<c>corrupt</c>) or that the catalog lists but the location
/// lacks (<c>missing</c>), tagged with the location. Exported with the server's other metrics.
/// </summary>
public sealed partial class IntegrityMetrics(IMeterFactory meters, ILogger<IntegrityMetrics> logger)
{
    public const string MeterName = "Ccfs.Server";

    private readonly Counter<long> _problems = meters.Create(MeterName)
        .CreateCounter<long>("ccfs.integrity.problems", description: "Stored copies found corrupt or missing");

    public void Corrupt(string locationId, string path, string expected, string actual)
    {
        _problems.Add(1, new("location", locationId), new("kind", "corrupt"));
        LogCorrupt(logger, path, locationId, expected, actual);
    }

    public void Missing(string locationId, string path)
    {
        _problems.Add(1, new("location", locationId), new("kind", "missing"));
        LogMissing(logger, path, locationId);
    }

    [LoggerMessage(LogLevel.Error, "{Path} in location {Location} is corrupt: SHA-256 {Actual}, the catalog says {Expected}")]
    private static partial void LogCorrupt(ILogger logger, string path, string location, string expected, string actual);

    [LoggerMessage(LogLevel.Error, "{Path} is missing from location {Location}, which the catalog says holds a copy")]
    private static partial void LogMissing(ILogger logger, string path, string location);
}
