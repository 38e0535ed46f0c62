using System.Data.Common;

namespace Ccfs.Server.Catalog;

/// <summary>One row of the outbox: a change to a file, numbered in its VDN's sequence.</summary>
/// <param name="AccessKey">Who made the change: the uploader of a stored file, the caller of a delete.</param>
/// <param name="LocationIds">The locations holding the file (stored) or whose copies went (deleted).</param>
/// <param name="RemainingLocationIds">After a delete of one copy, the locations that still hold the file; otherwise empty.</param>
/// <param name="PromptCheck">A stored prompt's quality findings (the X-Ccfs-Prompt-Check line); null otherwise.</param>
/// <param name="Data">The JSON data of an event about the VDN rather than a file (a quota warning), whose file columns are empty.</param>
public sealed record OutboxEvent(string Id, int VdnId, long Sequence, string Type, DateTimeOffset Time, string FileName, long SizeBytes,
    string Sha256, long DurationMs, string AccessKey, IReadOnlyList<string> LocationIds, IReadOnlyList<string> RemainingLocationIds, string? PromptCheck,
    string? Data = null);

/// <summary>
/// Reads the outbox <see cref="EventOutbox"/> writes: a VDN's events in sequence order after a position (the feed, and
/// what a subscription's cursor reads next), events by id (redelivery), and the purge of events past their retention.
/// A reader never sees a later number before an earlier one: numbers are taken in commit order.
/// </summary>
public sealed class EventStore(CatalogDatabase database)
{
    internal const string Columns = """
        e.id, e.vdn_id, e.sequence, e.type, e.at_ms, e.file_name, e.size_bytes, e.sha256, e.duration_ms, e.access_key, e.location_ids,
        e.remaining_location_ids, e.prompt_check, e.data
        """;

    private static readonly string After = $"""
        SELECT {Columns} FROM events e WHERE e.vdn_id = @vdn AND e.sequence > @after ORDER BY e.sequence LIMIT @limit;
        """;

    private static readonly string ById = $"SELECT {Columns} FROM events e WHERE e.id = @id;";

    /// <summary>Events of <paramref name="vdnId"/> numbered after <paramref name="after"/>, in order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<OutboxEvent>> ListAsync(int vdnId, long after, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(After, Read, cancellationToken, ("vdn", vdnId), ("after", after), ("limit", limit));

    public async Task<OutboxEvent?> FindAsync(string id, CancellationToken cancellationToken) =>
        (await database.QueryAsync(ById, Read, cancellationToken, ("id", id))).FirstOrDefault();

    /// <summary>The highest number each VDN has given, for the feed's consumers to see where each VDN stands.</summary>
    public async Task<IReadOnlyList<(int VdnId, long LastSequence)>> SequencesAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync("SELECT vdn_id, last_sequence FROM event_sequences ORDER BY vdn_id;",
            r => (r.GetInt32(0), r.GetInt64(1)), cancellationToken);

    /// <summary>
    /// Removes events, delivery records and dead letters older than <paramref name="before"/>, a chunk per write; the
    /// sequences stay, so a number is never given twice.
    /// </summary>
    /// <returns>How many events went.</returns>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var removed = await database.PurgeBeforeAsync("events", "id", before, cancellationToken);
        await database.PurgeBeforeAsync("event_deliveries", "id", before, cancellationToken);
        await database.PurgeBeforeAsync("event_dead_letters", "subscription_id, event_id", before, cancellationToken);
        return removed;
    }

    internal static OutboxEvent Read(DbDataReader r) => new(r.GetString(0), r.GetInt32(1), r.GetInt64(2), r.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetString(5), r.GetInt64(6), r.GetString(7), r.GetInt64(8), r.GetString(9),
        List(r.GetString(10)), List(r.GetString(11)), r.IsDBNull(12) ? null : r.GetString(12),
        r.IsDBNull(13) ? null : r.GetString(13));

    private static string[] List(string text) => text.Length == 0 ? [] : text.Split(',');
}
