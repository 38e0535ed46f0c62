namespace Ccfs.Server.Audit;

/// <summary>One recorded call: who did what to which file, from where, and how it was answered.</summary>
/// <param name="Id">Assigned by the catalog; 0 before it is written.</param>
/// <param name="Interface">A CC-FS interface (<c>uploadFile</c>, …) or an admin operation (<c>admin:createAccount</c>, …).</param>
/// <param name="ResultCode">The CC-FS resultCode, or the HTTP status for other answers.</param>
/// <param name="Repeats">How many calls the entry stands for: 1, or the count of a window of repeated refusals.</param>
/// <param name="Detail">What the call found, in one line: an upload's prompt-quality findings (X-Ccfs-Prompt-Check).</param>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string? AccessKey,
    int? VdnId,
    string ClientIp,
    string Interface,
    string? File,
    string ResultCode,
    long DurationMs,
    long Repeats = 1,
    string? Detail = null);

/// <summary>Which entries to read: newest first, before <see cref="Before"/> (keyset paging), matching the filters set.</summary>
public sealed record AuditQuery(long? Before, int Limit, string? AccessKey, int? VdnId, string? Interface, string? File);
