namespace Ccfs.Server.Audit;

/// <summary>Where the audit trail is kept: the catalog's <c>audit</c> table.</summary>
public interface IAuditStore
{
    /// <summary>Writes the entries in one transaction, all or none.</summary>
    Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Removes entries older than <paramref name="cutoff"/>; the number removed.</summary>
    Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
