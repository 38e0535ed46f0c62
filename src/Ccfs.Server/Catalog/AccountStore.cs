using System.Globalization;

namespace Ccfs.Server.Catalog;

/// <summary>
/// Accounts created through the admin API, in the catalog's <c>accounts</c> and <c>account_secrets</c> tables. Every change
/// bumps the catalog's change counter.
/// </summary>
public sealed class AccountStore
{
    private const string List = """
        SELECT a.access_key, a.vdn_ids, a.is_admin, a.disabled, a.description, a.created_at_ms, a.updated_at_ms,
               s.secret_id, s.sealed, s.created_at_ms
        FROM accounts a LEFT JOIN account_secrets s ON s.access_key = a.access_key
        ORDER BY a.access_key, s.secret_id;
        """;

    private const string Insert = """
        INSERT INTO accounts (access_key, vdn_ids, is_admin, disabled, description, created_at_ms, updated_at_ms)
        VALUES (@ak, @vdns, @admin, @disabled, @description, @now, @now) ON CONFLICT (access_key) DO NOTHING;
        """;

    private const string InsertSecret = "INSERT INTO account_secrets (access_key, sealed, created_at_ms) VALUES (@ak, @sealed, @now);";

    private const string Update = """
        UPDATE accounts SET vdn_ids = coalesce(CAST(@vdns AS TEXT), vdn_ids), is_admin = coalesce(CAST(@admin AS BOOLEAN), is_admin),
            disabled = coalesce(CAST(@disabled AS BOOLEAN), disabled), description = coalesce(CAST(@description AS TEXT), description),
            updated_at_ms = @now
        WHERE access_key = @ak;
        """;

    // The count and the insert are one statement, under the account row's lock: two rotations cannot both pass the limit.
    private const string InsertSecretBelowLimit = """
        INSERT INTO account_secrets (access_key, sealed, created_at_ms)
        SELECT @ak, @sealed, @now WHERE (SELECT count(*) FROM account_secrets WHERE access_key = @ak) < @max;
        """;

    private const string RetireOlder = """
        DELETE FROM account_secrets WHERE access_key = @ak
          AND secret_id < (SELECT max(secret_id) FROM account_secrets WHERE access_key = @ak);
        """;

    private readonly CatalogDatabase _database;
    private readonly TimeProvider _time;
    private readonly string _lockAccount;

    public AccountStore(CatalogDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        _lockAccount = $"SELECT 1 FROM accounts WHERE access_key = @ak{database.Dialect.ForUpdate};";
    }

    private CatalogWriter Writer => _database.Writer;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<IReadOnlyList<StoredAccount>> ListAsync(CancellationToken cancellationToken)
    {
        // One query, so the accounts and their secrets are one snapshot.
        var rows = await _database.QueryAsync(List, r => (Account: new StoredAccount(r.GetString(0), ParseVdns(r.GetString(1)), r.GetBoolean(2),
                r.GetBoolean(3), r.IsDBNull(4) ? null : r.GetString(4), FromMs(r.GetInt64(5)), FromMs(r.GetInt64(6)), []),
            Secret: r.IsDBNull(7) ? null : new StoredSecret(r.GetInt64(7), (byte[])r.GetValue(8), FromMs(r.GetInt64(9)))), cancellationToken);
        return [.. rows.GroupBy(r => r.Account.AccessKey, StringComparer.Ordinal)
            .Select(g => g.First().Account with { Secrets = [.. g.Where(r => r.Secret is not null).Select(r => r.Secret!)] })];
    }

    /// <summary>False if the access key is taken.</summary>
    public Task<bool> CreateAsync(StoredAccount account, byte[] sealedSecret, CancellationToken cancellationToken) =>
        Writer.WriteAsync(async (tx, ct) =>
        {
            var now = Now;
            if (await tx.ExecuteAsync(Insert, ct, ("ak", account.AccessKey), ("vdns", FormatVdns(account.VdnIds)), ("admin", account.IsAdmin),
                    ("disabled", account.Disabled), ("description", account.Description), ("now", now)) == 0)
            {
                return false;
            }

            await tx.ExecuteAsync(InsertSecret, ct, ("ak", account.AccessKey), ("sealed", sealedSecret), ("now", now));
            await _database.AnnounceChangeAsync(tx, ct);
            return true;
        });

    public Task<bool> UpdateAsync(string accessKey, AccountChange change, CancellationToken cancellationToken) =>
        Writer.WriteAsync(async (tx, ct) =>
        {
            var updated = await tx.ExecuteAsync(Update, ct, ("ak", accessKey), ("vdns", change.VdnIds is null ? null : FormatVdns(change.VdnIds)),
                ("admin", change.IsAdmin), ("disabled", change.Disabled), ("description", change.Description), ("now", Now)) == 1;
            if (updated)
            {
                await _database.AnnounceChangeAsync(tx, ct);
            }

            return updated;
        });

    public Task<bool> DeleteAsync(string accessKey, CancellationToken cancellationToken) => Writer.WriteAsync(async (tx, ct) =>
    {
        var deleted = await tx.ExecuteAsync("DELETE FROM accounts WHERE access_key = @ak;", ct, ("ak", accessKey)) == 1;
        if (deleted)
        {
            await _database.AnnounceChangeAsync(tx, ct);
        }

        return deleted;
    });

    /// <summary>Adds a secret that signs alongside the older one until it is retired, unless the account is at its limit.</summary>
    public Task<SecretAddition> AddSecretAsync(string accessKey, byte[] sealedSecret, CancellationToken cancellationToken) =>
        Writer.WriteAsync(async (tx, ct) =>
        {
            if (await tx.ScalarAsync(_lockAccount, ct, ("ak", accessKey)) is null)
            {
                return SecretAddition.NoSuchAccount;
            }

            if (await tx.ExecuteAsync(InsertSecretBelowLimit, ct, ("ak", accessKey), ("sealed", sealedSecret), ("now", Now),
                    ("max", Auth.AccountRules.MaxSecrets)) == 0)
            {
                return SecretAddition.AtLimit;
            }

            await _database.AnnounceChangeAsync(tx, ct);
            return SecretAddition.Added;
        });

    /// <summary>Removes every secret but the newest; the number removed, or -1 if the account does not exist.</summary>
    public Task<int> RetireOlderSecretsAsync(string accessKey, CancellationToken cancellationToken) => Writer.WriteAsync(async (tx, ct) =>
    {
        if (await tx.ScalarAsync(_lockAccount, ct, ("ak", accessKey)) is null)
        {
            return -1;
        }

        var removed = await tx.ExecuteAsync(RetireOlder, ct, ("ak", accessKey));
        await _database.AnnounceChangeAsync(tx, ct);
        return removed;
    });

    /// <summary>
    /// The catalog's master key check: a value sealed with the key the catalog's secrets are sealed with. Stores
    /// <paramref name="sealedCheck"/> if the catalog has none yet, and returns the one it holds.
    /// </summary>
    public Task<byte[]> ClaimKeyCheckAsync(byte[] sealedCheck, CancellationToken cancellationToken) => Writer.WriteAsync(async (tx, ct) =>
    {
        await tx.ExecuteAsync("INSERT INTO master_key_check (id, sealed) VALUES (1, @sealed) ON CONFLICT (id) DO NOTHING;", ct,
            ("sealed", sealedCheck));
        return (byte[])(await tx.ScalarAsync("SELECT sealed FROM master_key_check WHERE id = 1;", ct))!;
    });

    private static string FormatVdns(IEnumerable<int> vdns) => string.Join(',', vdns.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    private static int[] ParseVdns(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
