namespace Ccfs.Server.Catalog;

/// <summary>How soon a catalog write must be on disk.</summary>
public enum Durability
{
    /// <summary>On disk before the caller hears of it (SQLite <c>synchronous=FULL</c>, PostgreSQL <c>synchronous_commit=on</c>).</summary>
    Durable,

    /// <summary>
    /// Committed and visible at once, and kept by a process crash (SQLite has written it to the WAL, PostgreSQL holds it),
    /// but a power cut may take it before the next durable commit carries it to disk: only for a write that recovery
    /// redoes from what is durable, such as marking stored an upload whose copies are in place, or for records such as
    /// the audit trail whose last entries a power cut could take anyway.
    /// </summary>
    Deferred,
}
