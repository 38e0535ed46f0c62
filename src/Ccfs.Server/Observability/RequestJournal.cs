using Ccfs.Server.Configuration;

namespace Ccfs.Server.Observability;

/// <summary>One request in the journal: who asked what, and how and why it was answered. Never a body, never a secret.</summary>
/// <param name="Id">Increases by one per request journaled, from 1; <c>after=</c> this reads on from it.</param>
/// <param name="ResultCode">The CC-FS resultCode answered; null for an HTTP error (401, 403, 404, …).</param>
/// <param name="Reason">What <c>X-Ccfs-Reason</c> said (or an admin error's text), with the refusal's kind first.</param>
/// <param name="Fault">The fault rule that shaped or replaced the answer (<c>X-Ccfs-Fault</c>).</param>
public sealed record JournalEntry(long Id, DateTimeOffset At, string Interface, string? AccessKey, int? VdnId, string? FileName,
    string ClientAddress, int HttpStatus, string? ResultCode, string? Reason, long DurationMs, long? RequestBytes, long? ResponseBytes,
    string? Fault);

/// <summary>
/// The last <c>Ccfs:Journal:Size</c> requests of this node, in memory, each as it was answered: refused ones too, each
/// one (the log and the audit trail report repeated refusals together, the journal never does). A ring of entries
/// written without a lock, so the upload path pays one atomic increment and one store; readers skip a slot overwritten
/// while they read.
/// </summary>
public sealed class RequestJournal(CcfsSettings settings)
{
    public const int MaxPage = 1000;

    private readonly JournalEntry?[] _ring = new JournalEntry?[settings.JournalSize];
    private long _last;

    public int Size => _ring.Length;

    /// <summary>The id of the newest entry; 0 before the first.</summary>
    public long Last => Interlocked.Read(ref _last);

    public void Record(InterfaceCall call, int status, TimeSpan duration, long? responseBytes)
    {
        if (_ring.Length == 0)
        {
            return;
        }

        var id = Interlocked.Increment(ref _last);
        var reason = call.RejectionReason is null ? call.Reason : $"{call.RejectionReason}: {call.Reason ?? "-"}";
        Volatile.Write(ref _ring[(id - 1) % _ring.Length], new JournalEntry(id, call.StartedAt, call.Interface, call.AccessKey, call.VdnId,
            call.File, call.ClientAddress, status, call.ResultCode, reason, (long)duration.TotalMilliseconds, call.RequestBytes,
            responseBytes, call.FaultRule));
    }

    /// <summary>
    /// Entries oldest first: those after <paramref name="after"/>, or with none given the newest <paramref name="limit"/>;
    /// only those of <paramref name="accessKey"/> and <paramref name="vdnId"/> when given.
    /// </summary>
    /// <returns>The entries, and the id to pass as <c>after</c> next time.</returns>
    public (IReadOnlyList<JournalEntry> Entries, long Next) Read(long? after, int limit, string? accessKey, int? vdnId)
    {
        var last = Last;
        var oldest = Math.Max(1, last - _ring.Length + 1);
        var entries = new List<JournalEntry>();
        if (after is { } start)
        {
            // Past the newest id there is nothing to read (and start + 1 would overflow at long.MaxValue).
            for (var id = start >= last ? last + 1 : Math.Max(oldest, start + 1); id <= last && entries.Count < limit; id++)
            {
                if (At(id) is { } entry && Wanted(entry, accessKey, vdnId))
                {
                    entries.Add(entry);
                }
            }

            // An id past the newest (one from before a restart) resumes at the newest, not at an id that may never come.
            return (entries, entries.Count == limit ? entries[^1].Id : last);
        }

        for (var id = last; id >= oldest && entries.Count < limit; id--)
        {
            if (At(id) is { } entry && Wanted(entry, accessKey, vdnId))
            {
                entries.Add(entry);
            }
        }

        entries.Reverse();
        return (entries, last);
    }

    public void Clear()
    {
        for (var i = 0; i < _ring.Length; i++)
        {
            Volatile.Write(ref _ring[i], null);
        }
    }

    private JournalEntry? At(long id) => Volatile.Read(ref _ring[(id - 1) % _ring.Length]) is { } entry && entry.Id == id ? entry : null;

    private static bool Wanted(JournalEntry entry, string? accessKey, int? vdnId) =>
        (accessKey is null || entry.AccessKey == accessKey) && (vdnId is null || entry.VdnId == vdnId);
}
