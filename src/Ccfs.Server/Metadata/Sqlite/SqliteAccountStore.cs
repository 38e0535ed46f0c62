using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Metadata.Sqlite;

public sealed class SqliteAccountStore(SqliteDatabase database, TimeProvider time) : IAccountStore
{
    private const int SqliteConstraintError = 19;

    public async Task<IReadOnlyList<StoredAccount>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReaderAsync(cancellationToken);
        // One read transaction, so the secrets and the accounts are one snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var secrets = new Dictionary<string, List<StoredSecret>>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT access_key, secret_id, sealed, created_at_ms FROM account_secrets ORDER BY secret_id;";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = reader.GetString(0);
                if (!secrets.TryGetValue(key, out var list))
                {
                    secrets[key] = list = [];
                }

                list.Add(new StoredSecret(reader.GetInt64(1), (byte[])reader.GetValue(2), FromMs(reader.GetInt64(3))));
            }
        }

        var accounts = new List<StoredAccount>();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                SELECT access_key, vdn_ids, is_admin, disabled, description, created_at_ms, updated_at_ms FROM accounts ORDER BY access_key;
                """;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var key = reader.GetString(0);
                accounts.Add(new StoredAccount(key, ParseVdns(reader.GetString(1)), reader.GetInt64(2) != 0, reader.GetInt64(3) != 0,
                    reader.IsDBNull(4) ? null : reader.GetString(4), FromMs(reader.GetInt64(5)), FromMs(reader.GetInt64(6)),
                    secrets.GetValueOrDefault(key) ?? []));
            }
        }

        return accounts;
    }

    public Task<bool> CreateAsync(StoredAccount account, byte[] sealedSecret, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync((batch, _) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (batch.Execute("""
                    INSERT INTO accounts (access_key, vdn_ids, is_admin, disabled, description, created_at_ms, updated_at_ms)
                    VALUES ($ak, $vdns, $admin, $disabled, $description, $now, $now) ON CONFLICT (access_key) DO NOTHING;
                    """, ("$ak", account.AccessKey), ("$vdns", FormatVdns(account.VdnIds)), ("$admin", account.IsAdmin),
                    ("$disabled", account.Disabled), ("$description", account.Description), ("$now", now)) == 0)
            {
                return ValueTask.FromResult(false);
            }

            batch.Execute("INSERT INTO account_secrets (access_key, sealed, created_at_ms) VALUES ($ak, $sealed, $now);",
                ("$ak", account.AccessKey), ("$sealed", sealedSecret), ("$now", now));
            BumpChangeVersion(batch);
            return ValueTask.FromResult(true);
        });

    public Task<bool> UpdateAsync(string accessKey, AccountChange change, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync((batch, _) =>
        {
            var updated = batch.Execute("""
                UPDATE accounts SET vdn_ids = coalesce($vdns, vdn_ids), is_admin = coalesce($admin, is_admin),
                    disabled = coalesce($disabled, disabled), description = coalesce($description, description), updated_at_ms = $now
                WHERE access_key = $ak;
                """, ("$ak", accessKey), ("$vdns", change.VdnIds is null ? null : FormatVdns(change.VdnIds)), ("$admin", change.IsAdmin),
                ("$disabled", change.Disabled), ("$description", change.Description), ("$now", time.GetUtcNow().ToUnixTimeMilliseconds()));
            if (updated == 1)
            {
                BumpChangeVersion(batch);
            }

            return ValueTask.FromResult(updated == 1);
        });

    public Task<bool> DeleteAsync(string accessKey, CancellationToken cancellationToken) => database.Writer.WriteAsync((batch, _) =>
    {
        var deleted = batch.Execute("DELETE FROM accounts WHERE access_key = $ak;", ("$ak", accessKey)) == 1;
        if (deleted)
        {
            BumpChangeVersion(batch);
        }

        return ValueTask.FromResult(deleted);
    });

    public Task<SecretAddition> AddSecretAsync(string accessKey, byte[] sealedSecret, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync((batch, _) =>
        {
            if (!Exists(batch, accessKey))
            {
                return ValueTask.FromResult(SecretAddition.NoSuchAccount);
            }

            // The count and the insert are one statement, and one writer runs them: two rotations cannot both pass the limit.
            if (batch.Execute("""
                    INSERT INTO account_secrets (access_key, sealed, created_at_ms)
                    SELECT $ak, $sealed, $now WHERE (SELECT count(*) FROM account_secrets WHERE access_key = $ak) < $max;
                    """, ("$ak", accessKey), ("$sealed", sealedSecret), ("$now", time.GetUtcNow().ToUnixTimeMilliseconds()),
                    ("$max", Auth.AccountRules.MaxSecrets)) == 0)
            {
                return ValueTask.FromResult(SecretAddition.AtLimit);
            }

            BumpChangeVersion(batch);
            return ValueTask.FromResult(SecretAddition.Added);
        });

    public Task<int> RetireOlderSecretsAsync(string accessKey, CancellationToken cancellationToken) => database.Writer.WriteAsync((batch, _) =>
    {
        if (!Exists(batch, accessKey))
        {
            return ValueTask.FromResult(-1);
        }

        var removed = batch.Execute("""
            DELETE FROM account_secrets WHERE access_key = $ak
              AND secret_id < (SELECT max(secret_id) FROM account_secrets WHERE access_key = $ak);
            """, ("$ak", accessKey));
        BumpChangeVersion(batch);
        return ValueTask.FromResult(removed);
    });

    public Task<byte[]> ClaimKeyCheckAsync(byte[] sealedCheck, CancellationToken cancellationToken) => database.Writer.WriteAsync((batch, _) =>
    {
        batch.Execute("INSERT INTO master_key_check (id, sealed) VALUES (1, $sealed) ON CONFLICT (id) DO NOTHING;", ("$sealed", sealedCheck));
        return ValueTask.FromResult((byte[])batch.Scalar("SELECT sealed FROM master_key_check WHERE id = 1;")!);
    });

    /// <summary>Bumps the counter every node polls, in the same transaction as the change.</summary>
    internal static void BumpChangeVersion(SqliteBatch batch) => batch.Execute("UPDATE change_version SET version = version + 1 WHERE id = 1;");

    private static bool Exists(SqliteBatch batch, string accessKey) =>
        Convert.ToInt64(batch.Scalar("SELECT count(*) FROM accounts WHERE access_key = $ak;", ("$ak", accessKey)), CultureInfo.InvariantCulture) == 1;

    private static string FormatVdns(IEnumerable<int> vdns) => string.Join(',', vdns.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    private static int[] ParseVdns(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
