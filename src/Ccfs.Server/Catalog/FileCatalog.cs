using System.Data.Common;
using System.Globalization;

namespace Ccfs.Server.Catalog;

/// <summary>
/// The file catalog, on either database. Decisions several nodes could race for are made in one statement or under the
/// file row's lock: a name is taken by <c>INSERT … ON CONFLICT DO NOTHING</c>, a commit or recovery only moves a row from
/// the state (and owner) it expects, and a delete locks the file row (<see cref="CatalogDialect.ForUpdate"/>) before it
/// counts the copies left. A file's copies are listed in the order the upload placed them.
/// </summary>
public sealed class FileCatalog : IFileCatalog
{
    private static readonly string Pending = Literal((int)FileState.Pending);
    private static readonly string Stored = Literal((int)FileState.Stored);
    private static readonly string Deleting = Literal((int)FileState.Deleting);
    private static readonly string Undoing = Literal((int)FileState.Undoing);
    private static readonly string CopyHeld = Literal((int)CopyState.Held);
    private static readonly string CopyDeleting = Literal((int)CopyState.Deleting);

    /// <summary>A file's columns and its held copies, in placement order, as one comma-separated text.</summary>
    private static readonly string Columns = $"""
        f.path, f.file_name, f.vdn_id, f.size_bytes, f.sha256, f.encoding, f.duration_ms, f.access_key, f.created_at_ms,
        (SELECT string_agg(c.location_id, ',' ORDER BY c.ordinal, c.location_id) FROM file_copies c
         WHERE c.path = f.path AND c.state = {CopyHeld}), f.prompt_check
        """;

    private static readonly string FindStored = $"SELECT {Columns} FROM files f WHERE f.state = {Stored} AND f.path = @path";

    // A name retention has claimed for a recording's delete is taken, like a row's: the delete would take the upload's copies.
    private static readonly string Reserve = $"""
        INSERT INTO files (path, file_name, vdn_id, size_bytes, sha256, encoding, duration_ms, access_key, created_at_ms, prompt_check,
                           state, owner)
        SELECT @path, @fileName, @vdn, @size, @sha256, @encoding, @duration, @accessKey, @createdAt, CAST(@promptCheck AS TEXT), {Pending}, @owner
        WHERE NOT EXISTS (SELECT 1 FROM file_pins WHERE path = @path AND {RetentionStore.IsClaim})
        ON CONFLICT (path) DO NOTHING;
        """;

    // An upsert that changes nothing but locks the VDN's usage row and reads it, creating it for a VDN's first file.
    private const string LockUsage = """
        INSERT INTO vdn_usage (vdn_id, files, bytes) VALUES (@vdn, 0, 0)
        ON CONFLICT (vdn_id) DO UPDATE SET files = vdn_usage.files
        RETURNING files, bytes, warned_percent;
        """;

    private const string SetWarned = "UPDATE vdn_usage SET warned_percent = @percent WHERE vdn_id = @vdn;";
    private const string Usage = "SELECT vdn_id, files, bytes FROM vdn_usage ORDER BY vdn_id;";

    private static readonly string MarkStored = $"UPDATE files SET state = {Stored}, owner = NULL WHERE path = @path AND state = {Pending} AND owner = @owner;";
    private static readonly string TakeOverPending =
        $"UPDATE files SET owner = @me WHERE path = @path AND state = {Pending} AND coalesce(owner, '') = @owner;";
    private static readonly string MarkRecoveredStored =
        $"UPDATE files SET state = {Stored}, owner = NULL WHERE path = @path AND state = {Pending} AND owner = @owner;";
    private static readonly string MarkUndoing =
        $"UPDATE files SET state = {Undoing} WHERE path = @path AND state = {Pending} AND owner = @owner;";
    private static readonly string StateOf = "SELECT state, owner FROM files WHERE path = @path;";
    private static readonly string CopyMarkOwner =
        $"SELECT owner FROM file_copies WHERE path = @path AND location_id = @location AND state = {CopyDeleting};";
    private static readonly string Release = $"DELETE FROM files WHERE path = @path AND state = {Pending} AND owner = @owner;";
    private static readonly string MarkDeleting = $"UPDATE files SET state = {Deleting}, owner = @owner, deleted_by = @actor WHERE path = @path;";
    private static readonly string RemoveUnfinished = $"DELETE FROM files WHERE path = @path AND state <> {Stored};";

    // A deleted file's pin goes with it: a file stored later under the same name is a new file, not pinned.
    private const string Unpin = "DELETE FROM file_pins WHERE path = @path;";

    private const string Pinned = $"SELECT 1 FROM file_pins WHERE path = @path AND {RetentionStore.NotClaim};";

    private static readonly string CountCopies = $"""
        SELECT count(*), count(*) FILTER (WHERE location_id = @location) FROM file_copies WHERE path = @path AND state = {CopyHeld};
        """;

    private static readonly string MarkCopyDeleting =
        $"UPDATE file_copies SET state = {CopyDeleting}, owner = @owner, deleted_by = @actor WHERE path = @path AND location_id = @location;";

    private static readonly string ForgetCopy = $"DELETE FROM file_copies WHERE path = @path AND location_id = @location AND state = {CopyDeleting};";

    private static readonly string InsertCopy = $"""
        INSERT INTO file_copies (path, location_id, state, owner, ordinal) VALUES (@path, @location, {CopyHeld}, NULL, @ordinal)
        ON CONFLICT (path, location_id) DO UPDATE SET state = {CopyHeld}, owner = NULL, ordinal = excluded.ordinal;
        """;

    // "state <> 1" as written lets SQLite use the partial indexes files_unfinished and file_copies_deleting.
    private static readonly string AnyMarks = $"""
        SELECT EXISTS (SELECT 1 FROM files WHERE state <> {Stored} AND state IN ({Deleting}, {Undoing}))
            OR EXISTS (SELECT 1 FROM file_copies WHERE state <> {CopyHeld} AND state = {CopyDeleting});
        """;

    private const string HoldsCopies = "SELECT EXISTS (SELECT 1 FROM file_copies WHERE location_id = @location);";

    // An undone upload's copies (state Undoing) are no more the file's than a deleted one's.
    private static readonly string BeingDeleted = $"""
        SELECT EXISTS (SELECT 1 FROM files WHERE path = @path AND state IN ({Deleting}, {Undoing}))
            OR EXISTS (SELECT 1 FROM file_copies WHERE path = @path AND location_id = @location AND state = {CopyDeleting});
        """;

    private static readonly string Unfinished = $"""
        SELECT * FROM (
            SELECT {Columns}, f.state, NULL AS location_id, f.owner AS work_owner FROM files f WHERE f.state <> {Stored}
            UNION ALL
            SELECT {Columns}, f.state, c.location_id, c.owner FROM file_copies c JOIN files f ON f.path = c.path
            WHERE c.state = {CopyDeleting}
        ) w ORDER BY created_at_ms LIMIT @limit;
        """;

    private static readonly string StoredInPathOrder = $"""
        SELECT {Columns} FROM files f
        WHERE f.state = {Stored} AND (CAST(@vdn AS INTEGER) IS NULL OR f.vdn_id = @vdn) AND (CAST(@after AS TEXT) IS NULL OR f.path > @after)
        ORDER BY f.path LIMIT @limit;
        """;

    private static readonly string StoredNewestFirst = $"""
        SELECT {Columns} FROM files f
        WHERE f.state = {Stored} AND f.vdn_id = @vdn
          AND (CAST(@afterMs AS BIGINT) IS NULL OR f.created_at_ms < @afterMs
               OR (f.created_at_ms = @afterMs AND f.path < CAST(@afterPath AS TEXT)))
          AND (@failing = 0 OR (f.prompt_check IS NOT NULL AND f.prompt_check NOT LIKE '%;verdict=pass'))
        ORDER BY f.created_at_ms DESC, f.path DESC LIMIT @limit;
        """;

    private static readonly string Vdns = $"""
        SELECT vdn_id, count(*), CAST(coalesce(sum(size_bytes), 0) AS BIGINT) FROM files WHERE state = {Stored}
        GROUP BY vdn_id ORDER BY vdn_id;
        """;

    private readonly CatalogDatabase _database;
    private readonly NodeIdentity _node;
    private readonly TimeProvider _time;
    private readonly EventOutbox _outbox;
    private readonly DeleteMarks _marks;
    private readonly string _lockStored;
    private readonly string _findStoredForUpdate;
    private readonly string _lockDeleting;
    private readonly string _lockCopyDeleting;

    public FileCatalog(CatalogDatabase database, NodeIdentity node, TimeProvider time, EventOutbox outbox, DeleteMarks marks)
    {
        _database = database;
        _node = node;
        _time = time;
        _outbox = outbox;
        _marks = marks;
        _lockStored = $"SELECT 1 FROM files WHERE path = @path AND state = {Stored}{database.Dialect.ForUpdate};";
        _findStoredForUpdate = $"{FindStored}{database.Dialect.ForUpdate};";
        _lockDeleting = $"SELECT 1 FROM files WHERE path = @path AND state = {Deleting}{database.Dialect.ForUpdate};";
        _lockCopyDeleting = $"""
            SELECT coalesce(deleted_by, '') FROM file_copies WHERE path = @path AND location_id = @location AND state = {CopyDeleting}{database.Dialect.ForUpdate};
            """;
    }

    private CatalogWriter Writer => _database.Writer;

    // The name is checked and taken in one statement: "taken" is an answer, not a failure of the batch.
    public Task<bool> TryReserveAsync(FileRecord record, CancellationToken cancellationToken) => Writer.WriteAsync(async (tx, ct) =>
    {
        await _database.Dialect.LockNameAsync(tx, record.Path, ct);
        return await tx.ExecuteAsync(Reserve, ct, ReserveArguments(record)) == 1;
    });

    public async Task<Reservation> ReserveWithinAsync(FileRecord record, Parameters.VdnQuota quota, CancellationToken cancellationToken)
    {
        if (quota.IsUnlimited)
        {
            return await TryReserveAsync(record, cancellationToken)
                ? new Reservation(ReserveOutcome.Reserved, 0, 0)
                : new Reservation(ReserveOutcome.NameTaken, 0, 0);
        }

        var reservation = await Writer.WriteAsync(async (tx, ct) =>
        {
            await _database.Dialect.LockNameAsync(tx, record.Path, ct);
            var (files, bytes, warned) = (await tx.QueryAsync(LockUsage, r => (r.GetInt64(0), r.GetInt64(1), r.GetInt32(2)), ct,
                ("vdn", record.VdnId)))[0];
            if (files + 1 > quota.MaxFiles || bytes + record.SizeBytes > quota.MaxBytes)
            {
                return new Reservation(ReserveOutcome.QuotaFull, files, bytes);
            }

            if (await tx.ExecuteAsync(Reserve, ct, ReserveArguments(record)) != 1)
            {
                return new Reservation(ReserveOutcome.NameTaken, files, bytes);
            }

            // Usage that fell below a level since its warning (files deleted, the quota raised) re-arms that level: what
            // is still warned is judged by the usage before this upload.
            var stillWarned = Math.Min(warned, QuotaWarnings.LevelOf(quota.PercentUsed(files, bytes)));
            files++;
            bytes += record.SizeBytes;
            var level = QuotaWarnings.LevelOf(quota.PercentUsed(files, bytes));
            if (level != warned)
            {
                await tx.ExecuteAsync(SetWarned, ct, ("vdn", record.VdnId), ("percent", level));
            }

            if (level <= stillWarned)
            {
                return new Reservation(ReserveOutcome.Reserved, files, bytes);
            }

            await _outbox.AppendQuotaWarningAsync(tx, record.VdnId, QuotaWarnings.Data(record.VdnId, level, files, bytes, quota), ct);
            return new Reservation(ReserveOutcome.Reserved, files, bytes, level);
        });
        if (reservation.WarningPercent is not null)
        {
            _outbox.Written(record.VdnId);
        }

        return reservation;
    }

    public async Task<IReadOnlyList<VdnUsage>> ListUsageAsync(CancellationToken cancellationToken) =>
        await _database.QueryAsync(Usage, r => new VdnUsage(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken);

    // Deferred: the event is as durable as the mark it reports, and the dispatcher sends it only after a durable commit.
    public async Task<CommitOutcome> CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken)
    {
        int? vdn = null;
        var outcome = await Writer.WriteAsync(async (tx, ct) =>
        {
            if (await tx.ExecuteAsync(MarkStored, ct, ("path", path), ("owner", _node.Instance)) == 1)
            {
                await InsertCopiesAsync(tx, path, locations, ct);
                vdn = await _outbox.AppendStoredAsync(tx, path, ct);
                return CommitOutcome.Stored;
            }

            var state = await tx.QueryAsync(StateOf, r => (FileState)r.GetInt32(0), ct, ("path", path));
            return state switch
            {
                [FileState.Stored] => CommitOutcome.AlreadyStored,
                [FileState.Pending] => CommitOutcome.TakenOver,
                _ => CommitOutcome.Lost,
            };
        }, Durability.Deferred);
        if (outcome == CommitOutcome.Stored)
        {
            _outbox.Written(vdn);
        }

        return outcome;
    }

    public Task<bool> ReleaseAsync(string path, CancellationToken cancellationToken) => Writer.WriteAsync(async (tx, ct) =>
        await tx.ExecuteAsync(Release, ct, ("path", path), ("owner", _node.Instance)) == 1, Durability.Deferred);

    public async Task<FileRecord?> FindAsync(string path, CancellationToken cancellationToken) =>
        (await _database.QueryAsync(FindStored, Read, cancellationToken, ("path", path))).FirstOrDefault();

    public Task<FileRecord?> BeginDeleteAsync(string path, string actor, CancellationToken cancellationToken) => MarkingAsync(Writer.WriteAsync(async (tx, ct) =>
    {
        var found = (await tx.QueryAsync(_findStoredForUpdate, Read, ct, ("path", path))).FirstOrDefault();
        if (found is not null)
        {
            await tx.ExecuteAsync(MarkDeleting, ct, ("path", path), ("owner", _node.Instance), ("actor", actor));
        }

        return found;
    }), found => found is not null);

    /// <summary>
    /// Tells <see cref="DeleteMarks"/> once a write that marked something has committed, or when its outcome is unknown
    /// (it threw, perhaps after its COMMIT): a mark that may exist must count.
    /// </summary>
    private async Task<T> MarkingAsync<T>(Task<T> write, Func<T, bool> marked)
    {
        T result;
        try
        {
            result = await write;
        }
        catch
        {
            _marks.Made();
            throw;
        }

        if (marked(result))
        {
            _marks.Made();
        }

        return result;
    }

    // The row's lock comes before the look at its pin: a pin that took the lock first is seen here (a statement of its
    // own sees what committed before it), and one that comes after finds the row deleting (RetentionStore.PinAsync).
    public Task<FileRecord?> BeginExpireAsync(string path, DateTimeOffset createdBefore, CancellationToken cancellationToken) =>
        MarkingAsync(Writer.WriteAsync(async (tx, ct) =>
        {
            var found = (await tx.QueryAsync(_findStoredForUpdate, Read, ct, ("path", path))).FirstOrDefault();
            if (found is null || found.CreatedAt >= createdBefore || await tx.ScalarAsync(Pinned, ct, ("path", path)) is not null)
            {
                return null;
            }

            await tx.ExecuteAsync(MarkDeleting, ct, ("path", path), ("owner", _node.Instance), ("actor", EventTypes.RetentionActor));
            return found;
        }), found => found is not null);

    // A deleting row reports its delete as it goes; a pending one (an upload undone) was never stored and reports nothing.
    // The row's lock makes two nodes finishing the same delete take turns: the second finds no row.
    public async Task RemoveAsync(string path, CancellationToken cancellationToken)
    {
        int? vdn = null;
        var reported = await Writer.WriteAsync(async (tx, ct) =>
        {
            var deleting = await tx.ScalarAsync(_lockDeleting, ct, ("path", path)) is not null;
            if (deleting)
            {
                vdn = await _outbox.AppendDeletedAsync(tx, path, ct);
                await tx.ExecuteAsync(Unpin, ct, ("path", path));
            }

            await tx.ExecuteAsync(RemoveUnfinished, ct, ("path", path));
            return deleting;
        }, Durability.Deferred);
        if (reported)
        {
            _outbox.Written(vdn);
        }
    }

    public Task<CopyRemoval> BeginCopyDeleteAsync(string path, string locationId, string actor, CancellationToken cancellationToken) =>
        MarkingAsync(Writer.WriteAsync(async (tx, ct) =>
        {
            // The file row's lock makes two nodes deleting the last two copies take turns: the second sees one copy left.
            if (await tx.ScalarAsync(_lockStored, ct, ("path", path)) is null)
            {
                return CopyRemoval.NotHeld;
            }

            var (copies, held) = (await tx.QueryAsync(CountCopies, r => (r.GetInt64(0), r.GetInt64(1)), ct,
                ("path", path), ("location", locationId)))[0];
            if (held == 0)
            {
                return CopyRemoval.NotHeld;
            }

            if (copies == 1)
            {
                await tx.ExecuteAsync(MarkDeleting, ct, ("path", path), ("owner", _node.Instance), ("actor", actor));
                return CopyRemoval.LastCopy;
            }

            await tx.ExecuteAsync(MarkCopyDeleting, ct, ("path", path), ("location", locationId), ("owner", _node.Instance), ("actor", actor));
            return CopyRemoval.Marked;
        }), removal => removal != CopyRemoval.NotHeld);

    // Only a copy marked deleting is forgotten, and reported: under its lock, so two nodes finishing it report it once.
    public async Task ForgetCopyAsync(string path, string locationId, CancellationToken cancellationToken)
    {
        int? vdn = null;
        var reported = await Writer.WriteAsync(async (tx, ct) =>
        {
            if (await tx.ScalarAsync(_lockCopyDeleting, ct, ("path", path), ("location", locationId)) is not string actor)
            {
                return false;
            }

            await tx.ExecuteAsync(ForgetCopy, ct, ("path", path), ("location", locationId));
            vdn = await _outbox.AppendCopyDeletedAsync(tx, path, locationId, actor.Length == 0 ? null : actor, ct);
            return true;
        }, Durability.Deferred);
        if (reported)
        {
            _outbox.Written(vdn);
        }
    }

    public Task<bool> BeginUndoAsync(string path, CancellationToken cancellationToken) => MarkingAsync(Writer.WriteAsync(async (tx, ct) =>
        await tx.ExecuteAsync(MarkUndoing, ct, ("path", path), ("owner", _node.Instance)) == 1), undoing => undoing);

    public Task<bool> TakeOverPendingAsync(string path, string? owner, CancellationToken cancellationToken) => Writer.WriteAsync(async (tx, ct) =>
        await tx.ExecuteAsync(TakeOverPending, ct, ("path", path), ("owner", owner ?? ""), ("me", _node.Instance)) == 1);

    public async Task<bool> AnyDeleteMarksAsync(CancellationToken cancellationToken) =>
        (await _database.QueryAsync(AnyMarks, r => r.GetBoolean(0), cancellationToken))[0];

    public async Task<bool> HoldsCopiesAsync(string locationId, CancellationToken cancellationToken) =>
        (await _database.QueryAsync(HoldsCopies, r => r.GetBoolean(0), cancellationToken, ("location", locationId)))[0];

    public async Task<bool> IsBeingDeletedAsync(string path, string locationId, CancellationToken cancellationToken) =>
        (await _database.QueryAsync(BeingDeleted, r => r.GetBoolean(0), cancellationToken, ("path", path), ("location", locationId)))[0];

    public async Task<string?> CopyMarkOwnerAsync(string path, string locationId, CancellationToken cancellationToken) =>
        (await _database.QueryAsync(CopyMarkOwner, r => r.IsDBNull(0) ? "" : r.GetString(0), cancellationToken, ("path", path),
            ("location", locationId))).FirstOrDefault();

    public async Task<(FileState State, string? Owner)?> StateOfAsync(string path, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryAsync(StateOf, r => ((FileState)r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1)),
            cancellationToken, ("path", path));
        return rows.Count == 0 ? null : rows[0];
    }

    // A recovered upload is a committed upload: its event is written here, once, since only one transaction moves the row.
    public async Task<bool> StoreRecoveredAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken)
    {
        int? vdn = null;
        var stored = await Writer.WriteAsync(async (tx, ct) =>
        {
            if (await tx.ExecuteAsync(MarkRecoveredStored, ct, ("path", path), ("owner", _node.Instance)) != 1)
            {
                return false;
            }

            await InsertCopiesAsync(tx, path, locations, ct);
            vdn = await _outbox.AppendStoredAsync(tx, path, ct);
            return true;
        });
        if (stored)
        {
            _outbox.Written(vdn);
        }

        return stored;
    }

    public async Task<IReadOnlyList<UnfinishedWork>> ListUnfinishedAsync(int limit, CancellationToken cancellationToken) =>
        await _database.QueryAsync(Unfinished, r => new UnfinishedWork(Read(r), (FileState)r.GetInt32(11),
            r.IsDBNull(12) ? null : r.GetString(12), r.IsDBNull(13) ? null : r.GetString(13)), cancellationToken, ("limit", limit));

    public async Task<IReadOnlyList<FileRecord>> ListStoredAsync(int? vdnId, string? afterPath, int limit, CancellationToken cancellationToken) =>
        await _database.QueryAsync(StoredInPathOrder, Read, cancellationToken, ("vdn", vdnId), ("after", afterPath), ("limit", limit));

    public async Task<IReadOnlyList<FileRecord>> ListNewestFirstAsync(int vdnId, NewestFirstCursor? after, int limit, bool failingPromptsOnly,
        CancellationToken cancellationToken) =>
        await _database.QueryAsync(StoredNewestFirst, Read, cancellationToken, ("vdn", vdnId),
            ("afterMs", after?.CreatedAt.ToUnixTimeMilliseconds()), ("afterPath", after?.Path), ("failing", failingPromptsOnly ? 1 : 0),
            ("limit", limit));

    public async Task<IReadOnlyList<VdnSummary>> ListVdnsAsync(CancellationToken cancellationToken) =>
        await _database.QueryAsync(Vdns, r => new VdnSummary(r.GetInt32(0), r.GetInt64(1), r.GetInt64(2)), cancellationToken);

    public Task ProbeWriteAsync(CancellationToken cancellationToken) => Writer.WriteAsync(async (tx, ct) =>
        await tx.ExecuteAsync("UPDATE catalog_probe SET node = @node, at_ms = @at WHERE id = 1;", ct, ("node", _node.Instance),
            ("at", _time.GetUtcNow().ToUnixTimeMilliseconds())));

    private (string, object?)[] ReserveArguments(FileRecord record) =>
    [
        ("path", record.Path), ("fileName", record.FileName), ("vdn", record.VdnId), ("size", record.SizeBytes), ("sha256", record.Sha256),
        ("encoding", record.Encoding), ("duration", record.DurationMs), ("accessKey", record.AccessKey),
        ("createdAt", record.CreatedAt.ToUnixTimeMilliseconds()), ("promptCheck", record.PromptCheck), ("owner", _node.Instance),
    ];

    private static async Task InsertCopiesAsync(CatalogTransaction tx, string path, IReadOnlyList<string> locations, CancellationToken ct)
    {
        for (var i = 0; i < locations.Count; i++)
        {
            await tx.ExecuteAsync(InsertCopy, ct, ("path", path), ("location", locations[i]), ("ordinal", i));
        }
    }

    private static FileRecord Read(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
            reader.GetInt64(6), reader.GetString(7), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
            reader.IsDBNull(9) ? [] : reader.GetString(9).Split(','), reader.IsDBNull(10) ? null : reader.GetString(10));

    private static string Literal(int state) => state.ToString(CultureInfo.InvariantCulture);
}
