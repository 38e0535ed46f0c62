using System.Globalization;

namespace Ccfs.Server.Metadata.Postgres;

public sealed class PostgresAccountStore(PostgresDatabase database, TimeProvider time) : IAccountStore
{
    public async Task<IReadOnlyList<StoredAccount>> ListAsync(CancellationToken cancellationToken)
    {
        // One query, so the accounts and their secrets are one snapshot.
        var rows = await database.QueryAsync("""
            SELECT a.access_key, a.vdn_ids, a.is_admin, a.disabled, a.description, a.created_at_ms, a.updated_at_ms,
                   s.secret_id, s.sealed, s.created_at_ms
            FROM accounts a LEFT JOIN account_secrets s ON s.access_key = a.access_key
            ORDER BY a.access_key, s.secret_id;
            """, r => (Account: new StoredAccount(r.GetString(0), ParseVdns(r.GetString(1)), r.GetBoolean(2), r.GetBoolean(3),
                r.IsDBNull(4) ? null : r.GetString(4), FromMs(r.GetInt64(5)), FromMs(r.GetInt64(6)), []),
            Secret: r.IsDBNull(7) ? null : new StoredSecret(r.GetInt64(7), (byte[])r.GetValue(8), FromMs(r.GetInt64(9)))),
            cancellationToken);
        return [.. rows.GroupBy(r => r.Account.AccessKey, StringComparer.Ordinal)
            .Select(g => g.First().Account with { Secrets = [.. g.Where(r => r.Secret is not null).Select(r => r.Secret!)] })];
    }

    public Task<bool> CreateAsync(StoredAccount account, byte[] sealedSecret, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(async (batch, ct) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (await batch.ExecuteAsync("""
                    INSERT INTO accounts (access_key, vdn_ids, is_admin, disabled, description, created_at_ms, updated_at_ms)
                    VALUES (@ak, @vdns, @admin, @disabled, @description, @now, @now) ON CONFLICT (access_key) DO NOTHING;
                    """, ct, ("ak", account.AccessKey), ("vdns", FormatVdns(account.VdnIds)), ("admin", account.IsAdmin),
                    ("disabled", account.Disabled), ("description", account.Description), ("now", now)) == 0)
            {
                return false;
            }

            await batch.ExecuteAsync("INSERT INTO account_secrets (access_key, sealed, created_at_ms) VALUES (@ak, @sealed, @now);", ct,
                ("ak", account.AccessKey), ("sealed", sealedSecret), ("now", now));
            await AnnounceChangeAsync(batch, database, ct);
            return true;
        });

    public Task<bool> UpdateAsync(string accessKey, AccountChange change, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(async (batch, ct) =>
        {
            var updated = await batch.ExecuteAsync("""
                UPDATE accounts SET vdn_ids = coalesce(@vdns::text, vdn_ids), is_admin = coalesce(@admin::boolean, is_admin),
                    disabled = coalesce(@disabled::boolean, disabled), description = coalesce(@description::text, description),
                    updated_at_ms = @now
                WHERE access_key = @ak;
                """, ct, ("ak", accessKey), ("vdns", change.VdnIds is null ? null : FormatVdns(change.VdnIds)), ("admin", change.IsAdmin),
                ("disabled", change.Disabled), ("description", change.Description), ("now", time.GetUtcNow().ToUnixTimeMilliseconds()));
            if (updated == 1)
            {
                await AnnounceChangeAsync(batch, database, ct);
            }

            return updated == 1;
        });

    public Task<bool> DeleteAsync(string accessKey, CancellationToken cancellationToken) => database.Writer.WriteAsync(async (batch, ct) =>
    {
        var deleted = await batch.ExecuteAsync("DELETE FROM accounts WHERE access_key = @ak;", ct, ("ak", accessKey)) == 1;
        if (deleted)
        {
            await AnnounceChangeAsync(batch, database, ct);
        }

        return deleted;
    });

    public Task<SecretAddition> AddSecretAsync(string accessKey, byte[] sealedSecret, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(async (batch, ct) =>
        {
            // The account row's lock makes rotations on two nodes take turns, so they cannot both pass the limit.
            if (await batch.ScalarAsync("SELECT 1 FROM accounts WHERE access_key = @ak FOR UPDATE;", ct, ("ak", accessKey)) is null)
            {
                return SecretAddition.NoSuchAccount;
            }

            if (await batch.ExecuteAsync("""
                    INSERT INTO account_secrets (access_key, sealed, created_at_ms)
                    SELECT @ak, @sealed, @now WHERE (SELECT count(*) FROM account_secrets WHERE access_key = @ak) < @max;
                    """, ct, ("ak", accessKey), ("sealed", sealedSecret), ("now", time.GetUtcNow().ToUnixTimeMilliseconds()),
                    ("max", (long)Auth.AccountRules.MaxSecrets)) == 0)
            {
                return SecretAddition.AtLimit;
            }

            await AnnounceChangeAsync(batch, database, ct);
            return SecretAddition.Added;
        });

    public Task<int> RetireOlderSecretsAsync(string accessKey, CancellationToken cancellationToken) => database.Writer.WriteAsync(async (batch, ct) =>
    {
        if (await batch.ScalarAsync("SELECT 1 FROM accounts WHERE access_key = @ak FOR UPDATE;", ct, ("ak", accessKey)) is null)
        {
            return -1;
        }

        var removed = await batch.ExecuteAsync("""
            DELETE FROM account_secrets WHERE access_key = @ak
              AND secret_id < (SELECT max(secret_id) FROM account_secrets WHERE access_key = @ak);
            """, ct, ("ak", accessKey));
        await AnnounceChangeAsync(batch, database, ct);
        return removed;
    });

    public Task<byte[]> ClaimKeyCheckAsync(byte[] sealedCheck, CancellationToken cancellationToken) => database.Writer.WriteAsync(async (batch, ct) =>
    {
        await batch.ExecuteAsync("INSERT INTO master_key_check (id, sealed) VALUES (1, @sealed) ON CONFLICT (id) DO NOTHING;", ct,
            ("sealed", sealedCheck));
        return (byte[])(await batch.ScalarAsync("SELECT sealed FROM master_key_check WHERE id = 1;", ct))!;
    });

    /// <summary>Bumps the change counter and notifies every node's listener, in the transaction of the change (delivered at commit).</summary>
    internal static async Task AnnounceChangeAsync(PostgresBatch batch, PostgresDatabase database, CancellationToken ct)
    {
        await batch.ExecuteAsync("UPDATE change_version SET version = version + 1 WHERE id = 1;", ct);
        await batch.ExecuteAsync("SELECT pg_notify(@channel, '');", ct, ("channel", database.ChangeChannel));
    }

    private static string FormatVdns(IEnumerable<int> vdns) => string.Join(',', vdns.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    private static int[] ParseVdns(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
