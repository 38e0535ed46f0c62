using System.Data.Common;

namespace Ccfs.Server.Catalog;

/// <summary>A webhook subscription as the catalog keeps it; the secret sealed with the master key.</summary>
/// <param name="VdnIds">The VDNs whose events it receives; null for every VDN.</param>
/// <param name="Types">The event types it receives; null for every type.</param>
/// <param name="DisabledReason">Why it is disabled, when the server disabled it (a 410 answer).</param>
/// <param name="PreviousSealedSecret">The secret before the last rotation, which signs beside it until <paramref name="PreviousSecretUntil"/>.</param>
public sealed record StoredSubscription(string Id, string Url, IReadOnlyList<int>? VdnIds, IReadOnlyList<string>? Types,
    string? Description, bool Enabled, string? DisabledReason, byte[] SealedSecret, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    byte[]? PreviousSealedSecret = null, DateTimeOffset? PreviousSecretUntil = null)
{
    public bool Wants(string type) => Types is null || Types.Contains(type, StringComparer.Ordinal);

    /// <summary>Whether an event of <paramref name="vdnId"/> and <paramref name="type"/> is one this subscription receives.</summary>
    public bool Covers(int vdnId, string type) => (VdnIds is null || VdnIds.Contains(vdnId)) && Wants(type);
}

/// <summary>What a change to a subscription sets; null leaves a field as it is.</summary>
/// <param name="SealedSecret">A new secret; the one it replaces signs beside it until <paramref name="KeepPreviousUntil"/>, or stops at once if that is null.</param>
public sealed record SubscriptionChange(bool? Enabled = null, string? Description = null, byte[]? SealedSecret = null, string? DisabledReason = null,
    DateTimeOffset? KeepPreviousUntil = null);

/// <summary>
/// Webhook subscriptions. A new subscription receives the events written after it: in the transaction that creates it,
/// each VDN it covers gets a cursor (<c>event_streams</c>) at the VDN's last number; a VDN whose first event comes
/// later gets its cursor from 0 when the dispatcher first sees it (<see cref="DeliveryStore.DiscoverStreamsAsync"/>).
/// </summary>
public sealed class SubscriptionStore(CatalogDatabase database)
{
    private const string Columns = """
        s.id, s.url, s.all_vdns, s.types, s.description, s.enabled, s.disabled_reason, s.sealed_secret, s.created_at_ms, s.updated_at_ms,
        (SELECT string_agg(CAST(v.vdn_id AS TEXT), ',' ORDER BY v.vdn_id) FROM subscription_vdns v WHERE v.subscription_id = s.id),
        s.previous_sealed_secret, s.previous_secret_until_ms
        """;

    public Task CreateAsync(StoredSubscription subscription, CancellationToken cancellationToken) => database.Writer.WriteAsync(async (tx, ct) =>
    {
        var all = subscription.VdnIds is null ? 1 : 0;
        await tx.ExecuteAsync("""
            INSERT INTO subscriptions (id, url, all_vdns, types, description, enabled, disabled_reason, sealed_secret, created_at_ms, updated_at_ms)
            VALUES (@id, @url, @all, @types, @description, 1, NULL, @secret, @at, @at);
            """, ct, ("id", subscription.Id), ("url", subscription.Url), ("all", all),
            ("types", subscription.Types is null ? null : string.Join(',', subscription.Types)), ("description", subscription.Description),
            ("secret", subscription.SealedSecret), ("at", subscription.CreatedAt.ToUnixTimeMilliseconds()));
        foreach (var vdn in subscription.VdnIds ?? [])
        {
            await tx.ExecuteAsync("INSERT INTO subscription_vdns (subscription_id, vdn_id) VALUES (@id, @vdn);", ct,
                ("id", subscription.Id), ("vdn", vdn));
        }

        await tx.ExecuteAsync("""
            INSERT INTO event_streams (subscription_id, vdn_id, delivered_through)
            SELECT @id, q.vdn_id, q.last_sequence FROM event_sequences q
            WHERE @all = 1 OR q.vdn_id IN (SELECT v.vdn_id FROM subscription_vdns v WHERE v.subscription_id = @id);
            """, ct, ("id", subscription.Id), ("all", all));
    });

    public async Task<IReadOnlyList<StoredSubscription>> ListAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM subscriptions s ORDER BY s.created_at_ms, s.id;", Read, cancellationToken);

    public async Task<StoredSubscription?> FindAsync(string id, CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {Columns} FROM subscriptions s WHERE s.id = @id;", Read, cancellationToken, ("id", id)))
        .FirstOrDefault();

    /// <summary>Applies <paramref name="change"/>; false if there is no such subscription.</summary>
    public Task<bool> UpdateAsync(string id, SubscriptionChange change, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(async (tx, ct) => await tx.ExecuteAsync("""
            UPDATE subscriptions SET
                enabled = CASE WHEN CAST(@enabled AS INTEGER) IS NULL THEN enabled ELSE CAST(@enabled AS INTEGER) END,
                disabled_reason = CASE WHEN CAST(@enabled AS INTEGER) IS NULL THEN disabled_reason ELSE CAST(@reason AS TEXT) END,
                description = CASE WHEN CAST(@description AS TEXT) IS NULL THEN description ELSE CAST(@description AS TEXT) END,
                previous_sealed_secret = CASE WHEN @rotated = 0 THEN previous_sealed_secret
                                              WHEN CAST(@keepUntil AS BIGINT) IS NULL THEN NULL ELSE sealed_secret END,
                previous_secret_until_ms = CASE WHEN @rotated = 0 THEN previous_secret_until_ms ELSE CAST(@keepUntil AS BIGINT) END,
                sealed_secret = coalesce(@secret, sealed_secret),
                updated_at_ms = @at
            WHERE id = @id;
            """, ct, ("id", id), ("enabled", change.Enabled is { } enabled ? (enabled ? 1 : 0) : null), ("reason", change.DisabledReason),
            ("description", change.Description), ("secret", change.SealedSecret), ("rotated", change.SealedSecret is null ? 0 : 1), ("keepUntil", change.KeepPreviousUntil?.ToUnixTimeMilliseconds()),
            ("at", at.ToUnixTimeMilliseconds())) == 1);

    /// <summary>Removes the subscription with its cursors, delivery records and dead letters; false if there was none.</summary>
    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => database.Writer.WriteAsync(async (tx, ct) =>
        await tx.ExecuteAsync("DELETE FROM subscriptions WHERE id = @id;", ct, ("id", id)) == 1);

    private static StoredSubscription Read(DbDataReader r) => new(r.GetString(0), r.GetString(1),
        r.GetInt32(2) == 1 ? null : r.IsDBNull(10) ? [] : [.. r.GetString(10).Split(',').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))],
        r.IsDBNull(3) ? null : r.GetString(3).Split(','), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt32(5) == 1,
        r.IsDBNull(6) ? null : r.GetString(6), (byte[])r.GetValue(7), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)), r.IsDBNull(11) ? null : (byte[])r.GetValue(11),
        r.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(12)));
}
