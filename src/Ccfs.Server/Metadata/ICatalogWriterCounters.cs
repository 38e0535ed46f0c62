namespace Ccfs.Server.Metadata;

/// <summary>What the catalog's writer has done so far, for the metrics: its group-commit factor and its refusals.</summary>
public interface ICatalogWriterCounters
{
    /// <summary>Transactions committed.</summary>
    long Batches { get; }

    /// <summary>Writes those transactions carried.</summary>
    long Writes { get; }

    /// <summary>Writes answered as unavailable (the database held by another process, unreachable or too slow).</summary>
    long Unavailable { get; }
}
