using System.Globalization;

namespace Ccfs.Server.Catalog;

/// <summary>The kinds of change an event reports, as CloudEvents <c>type</c> values.</summary>
public static class EventTypes
{
    public const string Stored = "ccfs.file.stored";
    public const string Deleted = "ccfs.file.deleted";

    /// <summary>The retention sweeper deleted a file older than its VDN's <c>retainFor</c>.</summary>
    public const string Expired = "ccfs.file.expired";

    /// <summary>A VDN's usage crossed 80 % or 95 % of its quota.</summary>
    public const string QuotaWarning = "ccfs.quota.warning";

    public static IReadOnlyList<string> All { get; } = [Stored, Deleted, Expired, QuotaWarning];

    /// <summary>The access key a retention delete is made by, in its events and audit entries.</summary>
    public const string RetentionActor = "ccfs:retention";
}

/// <summary>
/// The outbox: each change to a file writes its event row in the transaction that makes the change (a stored mark, a
/// row or copy removed), so an event exists exactly when its change committed. The row takes the next number of its
/// VDN's sequence from <c>event_sequences</c>, whose row the same transaction updates: the row lock (PostgreSQL) or the
/// one writer (SQLite) makes numbers follow commit order with no gap, since a transaction that rolls back gives its
/// number back. The event is built from the file row as the transaction sees it, so a recovery that finishes someone
/// else's change writes the same facts. Once a write carrying events has committed, <see cref="Written"/> wakes the
/// dispatcher without a lock: the upload path only swaps a completed task.
/// </summary>
public sealed class EventOutbox
{
    private static readonly string Stored = ((int)FileState.Stored).ToString(CultureInfo.InvariantCulture);
    private static readonly string Deleting = ((int)FileState.Deleting).ToString(CultureInfo.InvariantCulture);
    private static readonly string CopyHeld = ((int)CopyState.Held).ToString(CultureInfo.InvariantCulture);

    private static string Copies(string condition) => $"""
        coalesce((SELECT string_agg(c.location_id, ',' ORDER BY c.ordinal, c.location_id) FROM file_copies c
                  WHERE c.path = f.path{condition}), '')
        """;

    /// <summary>Takes the next number of the file's VDN, then writes the event from the file row (both statements at once).</summary>
    private static string Append(string state, string locations, string remaining, string actor, string promptCheck = "NULL",
        string type = "@type") => $"""
        INSERT INTO event_sequences (vdn_id, last_sequence) SELECT f.vdn_id, 1 FROM files f WHERE f.path = @path AND f.state = {state}
        ON CONFLICT (vdn_id) DO UPDATE SET last_sequence = event_sequences.last_sequence + 1;
        INSERT INTO events (id, vdn_id, sequence, type, at_ms, file_name, size_bytes, sha256, duration_ms, access_key, location_ids,
                            remaining_location_ids, prompt_check)
        SELECT @id, f.vdn_id, s.last_sequence, {type}, @at, f.file_name, f.size_bytes, f.sha256, f.duration_ms, {actor}, {locations}, {remaining},
               {promptCheck}
        FROM files f JOIN event_sequences s ON s.vdn_id = f.vdn_id WHERE f.path = @path AND f.state = {state}
        RETURNING vdn_id;
        """;

    // An event about the VDN rather than a file: the file columns are empty, and data carries what it says.
    private const string VdnEvent = """
        INSERT INTO event_sequences (vdn_id, last_sequence) VALUES (@vdn, 1)
        ON CONFLICT (vdn_id) DO UPDATE SET last_sequence = event_sequences.last_sequence + 1;
        INSERT INTO events (id, vdn_id, sequence, type, at_ms, file_name, size_bytes, sha256, duration_ms, access_key, location_ids,
                            remaining_location_ids, data)
        SELECT @id, @vdn, s.last_sequence, @type, @at, '', 0, '', 0, '', '', '', @data FROM event_sequences s WHERE s.vdn_id = @vdn;
        """;

    private static readonly string StoredEvent = Append(Stored, Copies($" AND c.state = {CopyHeld}"), "''", "f.access_key", "f.prompt_check");

    /// <summary>Every copy the row had goes with it; the caller of the delete is on the row (older rows: the uploader).</summary>
    /// <summary>A delete by the retention sweeper is a <c>ccfs.file.expired</c>.</summary>
    private static readonly string DeletedEvent = Append(Deleting, Copies(""), "''", "coalesce(f.deleted_by, f.access_key)",
        type: $"CASE WHEN f.deleted_by = '{EventTypes.RetentionActor}' THEN '{EventTypes.Expired}' ELSE @type END");

    /// <summary>One copy goes; the copies still held remain, and the file with them.</summary>
    private static readonly string CopyDeletedEvent = Append(Stored, "@location",
        Copies($" AND c.state = {CopyHeld} AND c.location_id <> @location"), "coalesce(CAST(@actor AS TEXT), f.access_key)");

    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> _touched = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;

    public EventOutbox(TimeProvider time) => _time = time;

    /// <summary>Completes at the next commit of a write that carried events.</summary>
    public Task NextWrite => Volatile.Read(ref _next).Task;

    /// <summary>Events this process has written since it started.</summary>
    public long Count => Interlocked.Read(ref _written);

    /// <summary>Within the transaction that marked <paramref name="path"/> stored; the event's VDN.</summary>
    public Task<int?> AppendStoredAsync(CatalogTransaction tx, string path, CancellationToken ct) =>
        VdnAsync(tx.ScalarAsync(StoredEvent, ct, Arguments(path, EventTypes.Stored)));

    /// <summary>Within the transaction that removes <paramref name="path"/>'s deleting row, before it does; the event's VDN.</summary>
    public Task<int?> AppendDeletedAsync(CatalogTransaction tx, string path, CancellationToken ct) =>
        VdnAsync(tx.ScalarAsync(DeletedEvent, ct, Arguments(path, EventTypes.Deleted)));

    /// <summary>Within the transaction that reserved the upload which crossed a quota warning level.</summary>
    public Task AppendQuotaWarningAsync(CatalogTransaction tx, int vdnId, string data, CancellationToken ct) =>
        tx.ExecuteAsync(VdnEvent, ct, ("vdn", vdnId), ("id", Guid.CreateVersion7().ToString()), ("type", EventTypes.QuotaWarning),
            ("at", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("data", data));

    /// <summary>Within the transaction that forgets one copy of a stored file, after it did; the event's VDN.</summary>
    public Task<int?> AppendCopyDeletedAsync(CatalogTransaction tx, string path, string locationId, string? actor, CancellationToken ct) =>
        VdnAsync(tx.ScalarAsync(CopyDeletedEvent, ct, [.. Arguments(path, EventTypes.Deleted), ("location", locationId), ("actor", actor)]));

    /// <summary>Says that a write carrying an event of <paramref name="vdnId"/> committed, and wakes whoever waits for one.</summary>
    public void Written(int? vdnId)
    {
        Interlocked.Increment(ref _written);
        // Unknown (it cannot be, but if it were): every VDN is looked at.
        _touched[vdnId ?? 0] = true;
        Wake();
    }

    /// <summary>The VDNs that got events since the last call (0 stands for "look at every VDN"), emptied as they are taken.</summary>
    public IReadOnlyList<int> TakeTouched()
    {
        var taken = new List<int>();
        foreach (var vdn in _touched.Keys)
        {
            if (_touched.TryRemove(vdn, out _))
            {
                taken.Add(vdn);
            }
        }

        return taken;
    }

    private static async Task<int?> VdnAsync(Task<object?> scalar) =>
        await scalar is { } value ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : null;

    /// <summary>Wakes whoever waits for <see cref="NextWrite"/> (the dispatcher, to look for work again).</summary>
    public void Wake() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private (string, object?)[] Arguments(string path, string type) =>
        [("path", path), ("id", Guid.CreateVersion7().ToString()), ("type", type), ("at", _time.GetUtcNow().ToUnixTimeMilliseconds())];
}
