using System.Globalization;

namespace Ccfs.Server.Catalog;

/// <summary>A pinned file: exempt from retention until unpinned.</summary>
public sealed record FilePin(string Path, int VdnId, string PinnedBy, DateTimeOffset PinnedAt);

/// <summary>What a pin did.</summary>
public enum PinOutcome
{
    Pinned,
    AlreadyPinned,

    /// <summary>The file is being deleted (by retention, or a delete in progress): too late to keep it.</summary>
    BeingDeleted,

    /// <summary>The stored file is gone (deleted since it was found); nothing was pinned.</summary>
    Gone,
}

/// <summary>Who holds a VDN's retention sweep now (null: nobody), and when the last sweep of it finished.</summary>
public sealed record SweepState(string? ClaimedBy, DateTimeOffset LastSweptAt);

/// <summary>
/// What retention keeps in the catalog: pins, the files old enough to expire, and each VDN's sweep. A sweep is claimed
/// like an event stream: a compare-and-set on its holder, taken from nobody or from an instance that is gone, so one node
/// at a time sweeps a VDN and a sweep whose node died passes to another once the node's lease ran out.
/// A pin and retention's delete of a file are decided one after the other, never both at once: a stored file's under
/// its row's lock (<see cref="IFileCatalog.BeginExpireAsync"/>), a recording's (no row) by the claim its delete holds in
/// <c>file_pins</c> while it runs (<see cref="ClaimExpiryAsync"/>), which is never taken for a pin. No upload reserves a
/// claimed name until the claim is dropped, so the delete never meets copies placed after its look at the catalog.
/// </summary>
public sealed class RetentionStore
{
    // A claim's pinned_by is ccfs:retention:{instance}, the node whose delete holds it (plain ccfs:retention before 0.12).
    private const string Claim = EventTypes.RetentionActor;
    /// <summary>A <c>file_pins</c> row that is retention's claim for a delete, not a pin; the catalog's statements use them too.</summary>
    internal const string IsClaim = $"pinned_by LIKE '{Claim}%'";

    internal const string NotClaim = $"pinned_by NOT LIKE '{Claim}%'";
    private static readonly string Stored = ((int)FileState.Stored).ToString(CultureInfo.InvariantCulture);

    private const string InsertPin = """
        INSERT INTO file_pins (path, vdn_id, pinned_by, pinned_at_ms) VALUES (@path, @vdn, @actor, @at) ON CONFLICT (path) DO NOTHING;
        """;

    // Only while no row names the file and this instance still holds the VDN's sweep; a claim a crash left is taken again.
    private const string ClaimExpiry = $"""
        INSERT INTO file_pins (path, vdn_id, pinned_by, pinned_at_ms)
        SELECT @path, @vdn, @claimant, @at WHERE NOT EXISTS (SELECT 1 FROM files WHERE path = @path)
            AND EXISTS (SELECT 1 FROM retention_sweeps WHERE vdn_id = @vdn AND claimed_by = @instance)
        ON CONFLICT (path) DO UPDATE SET pinned_at_ms = excluded.pinned_at_ms, pinned_by = excluded.pinned_by WHERE file_pins.{IsClaim};
        """;

    private readonly CatalogDatabase _database;
    private readonly CatalogWriter _writer;
    private readonly string _lockFile;

    public RetentionStore(CatalogDatabase database)
    {
        _database = database;
        _writer = database.Writer;
        _lockFile = $"SELECT state FROM files WHERE path = @path{database.Dialect.ForUpdate};";
    }

    /// <summary>
    /// A VDN's stored, unpinned files under <paramref name="folders"/> (catalog keys ending in '/') created before
    /// <paramref name="cutoff"/>, oldest first. The folders are matched here, before the limit, so files the VDN keeps
    /// elsewhere (under an earlier upload rule) never fill the page in place of those retention may delete.
    /// </summary>
    public async Task<IReadOnlyList<(string Path, string FileName, long SizeBytes, DateTimeOffset CreatedAt)>> ExpiredAsync(int vdnId,
        IReadOnlyList<string> folders, DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        if (folders.Count == 0)
        {
            return [];
        }

        var under = string.Join(" OR ", folders.Select((_, i) => $"substr(f.path, 1, @length{i}) = @folder{i}"));
        var sql = $"""
            SELECT f.path, f.file_name, f.size_bytes, f.created_at_ms FROM files f
            WHERE f.state = {Stored} AND f.vdn_id = @vdn AND f.created_at_ms < @cutoff AND ({under})
              AND NOT EXISTS (SELECT 1 FROM file_pins p WHERE p.path = f.path AND p.{NotClaim})
            ORDER BY f.created_at_ms, f.path LIMIT @limit;
            """;
        (string, object?)[] arguments = [("vdn", vdnId), ("cutoff", cutoff.ToUnixTimeMilliseconds()), ("limit", limit),
            .. folders.SelectMany((f, i) => new (string, object?)[] { ($"length{i}", f.Length), ($"folder{i}", f) })];
        return await _database.QueryAsync(sql, r => (r.GetString(0), r.GetString(1), r.GetInt64(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))),
            cancellationToken, arguments);
    }

    /// <summary>
    /// Pins a file (the first pin stays); <paramref name="stored"/>: a stored file, not a recording. A stored file's row
    /// is locked first, so retention's delete that marked it before is seen here, and one after sees the pin.
    /// </summary>
    public Task<PinOutcome> PinAsync(string path, int vdnId, bool stored, string actor, DateTimeOffset at, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) =>
        {
            var state = await tx.ScalarAsync(_lockFile, ct, ("path", path));
            if (state is null ? stored : (FileState)Convert.ToInt32(state, CultureInfo.InvariantCulture) == FileState.Deleting)
            {
                return state is null ? PinOutcome.Gone : PinOutcome.BeingDeleted;
            }

            if (await tx.ExecuteAsync(InsertPin, ct, ("path", path), ("vdn", vdnId), ("actor", actor), ("at", at.ToUnixTimeMilliseconds())) == 1)
            {
                return PinOutcome.Pinned;
            }

            return await tx.ScalarAsync("SELECT pinned_by FROM file_pins WHERE path = @path;", ct, ("path", path)) is string by
                && by.StartsWith(Claim, StringComparison.Ordinal)
                ? PinOutcome.BeingDeleted
                : PinOutcome.AlreadyPinned;
        });

    /// <summary>Takes back the pin <paramref name="actor"/> made at <paramref name="at"/> (its file turned out gone); any other pin stays.</summary>
    public Task WithdrawPinAsync(string path, string actor, DateTimeOffset at, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync(
            "DELETE FROM file_pins WHERE path = @path AND pinned_by = @actor AND pinned_at_ms = @at;", ct, ("path", path), ("actor", actor),
            ("at", at.ToUnixTimeMilliseconds())));

    /// <summary>Unpins a file; false if it was not pinned.</summary>
    public Task<bool> UnpinAsync(string path, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync($"DELETE FROM file_pins WHERE path = @path AND {NotClaim};", ct,
            ("path", path)) == 1);

    public async Task<bool> IsPinnedAsync(string path, CancellationToken cancellationToken) =>
        (await _database.QueryAsync($"SELECT 1 FROM file_pins WHERE path = @path AND {NotClaim};", r => 1, cancellationToken, ("path", path)))
        .Count > 0;

    /// <summary>
    /// Claims a recording (a file no row names) for a delete by retention on <paramref name="instance"/>, which must hold
    /// the VDN's sweep: false if it is pinned or a row names it. Until <see cref="DropExpiryClaimAsync"/>, a pin of it is
    /// <see cref="PinOutcome.BeingDeleted"/>. A claim is a delete under way: one its node left (killed, or frozen past its
    /// lease) is carried out by the next sweep of the VDN (<see cref="ExpiryClaimsAsync"/>), never merely dropped, as the
    /// node may still wake up and delete.
    /// </summary>
    public Task<bool> ClaimExpiryAsync(string path, int vdnId, string instance, DateTimeOffset at, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) =>
        {
            await _database.Dialect.LockNameAsync(tx, path, ct);
            return await tx.ExecuteAsync(ClaimExpiry, ct, ("path", path), ("vdn", vdnId), ("instance", instance),
                ("claimant", Claimant(instance)), ("at", at.ToUnixTimeMilliseconds())) == 1;
        });

    /// <summary>
    /// Takes a claim another node left (killed, or frozen past its lease) for <paramref name="instance"/>, which then
    /// carries its delete out: the node that left it, should it wake, can no longer drop it. False if it is gone.
    /// </summary>
    public Task<bool> TakeExpiryClaimAsync(string path, string instance, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync($"UPDATE file_pins SET pinned_by = @claimant WHERE path = @path AND {IsClaim};",
            ct, ("path", path), ("claimant", Claimant(instance))) == 1);

    private static string Claimant(string instance) => $"{Claim}:{instance}";

    /// <summary>The recordings of <paramref name="vdnId"/> claimed for a delete that has not finished, in path order.</summary>
    public async Task<IReadOnlyList<string>> ExpiryClaimsAsync(int vdnId, CancellationToken cancellationToken) =>
        await _database.QueryAsync($"SELECT path FROM file_pins WHERE vdn_id = @vdn AND {IsClaim} ORDER BY path;",
            r => r.GetString(0), cancellationToken, ("vdn", vdnId));

    /// <summary>The VDNs with a recording claimed for a delete that has not finished.</summary>
    public async Task<IReadOnlyList<int>> VdnsWithExpiryClaimsAsync(CancellationToken cancellationToken) =>
        await _database.QueryAsync($"SELECT DISTINCT vdn_id FROM file_pins WHERE {IsClaim};", r => r.GetInt32(0), cancellationToken);

    /// <summary>
    /// Drops <paramref name="instance"/>'s claim: false if another node has taken it over since, which then finishes the
    /// delete and counts it.
    /// </summary>
    public Task<bool> DropExpiryClaimAsync(string path, string instance, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("DELETE FROM file_pins WHERE path = @path AND pinned_by = @claimant;", ct,
            ("path", path), ("claimant", Claimant(instance))) == 1);

    /// <summary>Whether the catalog has a row for <paramref name="path"/>, whatever its state: then the catalog's age is the file's.</summary>
    public async Task<bool> HasRowAsync(string path, CancellationToken cancellationToken) =>
        (await _database.QueryAsync("SELECT 1 FROM files WHERE path = @path;", r => 1, cancellationToken, ("path", path))).Count > 0;

    /// <summary>When the stored file <paramref name="path"/> was created, as its row says now; null if no stored row has that name.</summary>
    public async Task<DateTimeOffset?> CreatedAtAsync(string path, CancellationToken cancellationToken) =>
        (await _database.QueryAsync($"SELECT created_at_ms FROM files WHERE path = @path AND state = {Stored};",
            r => (DateTimeOffset?)DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), cancellationToken, ("path", path))).FirstOrDefault();

    /// <summary>A VDN's pins.</summary>
    public async Task<IReadOnlyList<FilePin>> PinsAsync(int vdnId, CancellationToken cancellationToken) =>
        await _database.QueryAsync($"SELECT path, vdn_id, pinned_by, pinned_at_ms FROM file_pins WHERE vdn_id = @vdn AND {NotClaim} ORDER BY path;",
            r => new FilePin(r.GetString(0), r.GetInt32(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))),
            cancellationToken, ("vdn", vdnId));

    /// <summary>The VDN's sweep, made (never swept, held by nobody) if it has none.</summary>
    public async Task<SweepState> SweepOfAsync(int vdnId, CancellationToken cancellationToken)
    {
        await _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync(
            "INSERT INTO retention_sweeps (vdn_id, claimed_by, last_swept_at_ms) VALUES (@vdn, NULL, 0) ON CONFLICT (vdn_id) DO NOTHING;",
            ct, ("vdn", vdnId)), Durability.Deferred);
        return (await _database.QueryAsync("SELECT claimed_by, last_swept_at_ms FROM retention_sweeps WHERE vdn_id = @vdn;",
            r => new SweepState(r.IsDBNull(0) ? null : r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1))),
            cancellationToken, ("vdn", vdnId)))[0];
    }

    /// <summary>Takes the VDN's sweep for <paramref name="instance"/> if it is still held by <paramref name="seen"/> (null: nobody).</summary>
    public Task<bool> ClaimAsync(int vdnId, string? seen, string instance, CancellationToken cancellationToken) =>
        _writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync(
            "UPDATE retention_sweeps SET claimed_by = @instance WHERE vdn_id = @vdn AND coalesce(claimed_by, '') = @seen;",
            ct, ("vdn", vdnId), ("seen", seen ?? ""), ("instance", instance)) == 1);

    /// <summary>The VDNs whose sweep <paramref name="instance"/> holds now.</summary>
    public async Task<IReadOnlyList<int>> SweepsHeldAsync(string instance, CancellationToken cancellationToken) =>
        await _database.QueryAsync("SELECT vdn_id FROM retention_sweeps WHERE claimed_by = @instance;", r => r.GetInt32(0), cancellationToken,
            ("instance", instance));

    /// <summary>Whether <paramref name="instance"/> still holds the VDN's sweep.</summary>
    public async Task<bool> HoldsAsync(int vdnId, string instance, CancellationToken cancellationToken) =>
        (await _database.QueryAsync("SELECT 1 FROM retention_sweeps WHERE vdn_id = @vdn AND claimed_by = @instance;", r => 1,
            cancellationToken, ("vdn", vdnId), ("instance", instance))).Count > 0;

    /// <summary>
    /// Ends a finished sweep: nobody holds it, and the next is due one interval after <paramref name="at"/>, when it
    /// started.
    /// </summary>
    public Task FinishAsync(int vdnId, string instance, DateTimeOffset at, CancellationToken cancellationToken) =>
        EndAsync(vdnId, instance, "claimed_by = NULL, last_swept_at_ms = @at", at);

    /// <summary>Gives up a sweep without finishing it (a failure): the next tick of any node takes it again.</summary>
    public Task ReleaseAsync(int vdnId, string instance, CancellationToken cancellationToken) =>
        EndAsync(vdnId, instance, "claimed_by = NULL", null);

    private Task EndAsync(int vdnId, string instance, string set, DateTimeOffset? at) => _writer.WriteAsync(async (tx, ct) =>
        await tx.ExecuteAsync($"UPDATE retention_sweeps SET {set} WHERE vdn_id = @vdn AND claimed_by = @instance;", ct, ("vdn", vdnId),
            ("instance", instance), ("at", at?.ToUnixTimeMilliseconds())));
}
