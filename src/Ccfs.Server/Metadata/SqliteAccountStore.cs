using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Ccfs.Server.Metadata;

/// <summary>An account kept in the catalog. Its secrets are sealed (<see cref="Auth.MasterKey"/>); the newest signs.</summary>
public sealed record StoredAccount(
    string AccessKey,
    IReadOnlyList<int> VdnIds,
    bool IsAdmin,
    bool Disabled,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<StoredSecret> Secrets);

public sealed record StoredSecret(long Id, byte[] Sealed, DateTimeOffset CreatedAt);

/// <summary>What an administrator may change on an account; null keeps the value.</summary>
public sealed record AccountChange(IReadOnlyList<int>? VdnIds = null, bool? IsAdmin = null, bool? Disabled = null, string? Description = null);

/// <summary>What <see cref="IAccountStore.AddSecretAsync"/> did.</summary>
public enum SecretAddition
{
    Added,
    NoSuchAccount,

    /// <summary>The account already holds <see cref="Auth.AccountRules.MaxSecrets"/>; nothing was added.</summary>
    AtLimit,
}

/// <summary>Accounts created through the admin API. Every change bumps the catalog's change counter.</summary>
public interface IAccountStore
{
    Task<IReadOnlyList<StoredAccount>> ListAsync(CancellationToken cancellationToken);

    /// <summary>False if the access key is taken.</summary>
    Task<bool> CreateAsync(StoredAccount account, byte[] sealedSecret, CancellationToken cancellationToken);

    Task<bool> UpdateAsync(string accessKey, AccountChange change, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string accessKey, CancellationToken cancellationToken);

    /// <summary>Adds a secret that signs alongside the older one until it is retired, unless the account is at its limit.</summary>
    Task<SecretAddition> AddSecretAsync(string accessKey, byte[] sealedSecret, CancellationToken cancellationToken);

    /// <summary>Removes every secret but the newest; the number removed, or -1 if the account does not exist.</summary>
    Task<int> RetireOlderSecretsAsync(string accessKey, CancellationToken cancellationToken);
}

public sealed class SqliteAccountStore(SqliteDatabase database, TimeProvider time) : IAccountStore
{
    public async Task<IReadOnlyList<StoredAccount>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var secrets = new Dictionary<string, List<StoredSecret>>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
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

    public async Task<bool> CreateAsync(StoredAccount account, byte[] sealedSecret, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await SqliteDatabase.ExecuteAsync(connection, """
                INSERT INTO accounts (access_key, vdn_ids, is_admin, disabled, description, created_at_ms, updated_at_ms)
                VALUES ($ak, $vdns, $admin, $disabled, $description, $now, $now);
                """, cancellationToken, ("$ak", account.AccessKey), ("$vdns", FormatVdns(account.VdnIds)), ("$admin", account.IsAdmin),
                ("$disabled", account.Disabled), ("$description", account.Description), ("$now", now));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            return false;
        }

        await InsertSecretAsync(connection, account.AccessKey, sealedSecret, now, cancellationToken);
        await SqliteDatabase.BumpChangeVersionAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> UpdateAsync(string accessKey, AccountChange change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE accounts SET vdn_ids = coalesce($vdns, vdn_ids), is_admin = coalesce($admin, is_admin),
                disabled = coalesce($disabled, disabled), description = coalesce($description, description), updated_at_ms = $now
            WHERE access_key = $ak;
            """;
        command.Parameters.AddWithValue("$ak", accessKey);
        command.Parameters.AddWithValue("$vdns", change.VdnIds is null ? DBNull.Value : FormatVdns(change.VdnIds));
        command.Parameters.AddWithValue("$admin", (object?)change.IsAdmin ?? DBNull.Value);
        command.Parameters.AddWithValue("$disabled", (object?)change.Disabled ?? DBNull.Value);
        command.Parameters.AddWithValue("$description", (object?)change.Description ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            return false;
        }

        await SqliteDatabase.BumpChangeVersionAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<bool> DeleteAsync(string accessKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM accounts WHERE access_key = $ak;";
        command.Parameters.AddWithValue("$ak", accessKey);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            return false;
        }

        await SqliteDatabase.BumpChangeVersionAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<SecretAddition> AddSecretAsync(string accessKey, byte[] sealedSecret, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ExistsAsync(connection, accessKey, cancellationToken))
        {
            return SecretAddition.NoSuchAccount;
        }

        // The count and the insert are one statement, so two rotations at once cannot both pass the limit.
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO account_secrets (access_key, sealed, created_at_ms)
            SELECT $ak, $sealed, $now WHERE (SELECT count(*) FROM account_secrets WHERE access_key = $ak) < $max;
            """;
        command.Parameters.AddWithValue("$ak", accessKey);
        command.Parameters.AddWithValue("$sealed", sealedSecret);
        command.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$max", Auth.AccountRules.MaxSecrets);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return SecretAddition.AtLimit;
        }

        await SqliteDatabase.BumpChangeVersionAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return SecretAddition.Added;
    }

    public async Task<int> RetireOlderSecretsAsync(string accessKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ExistsAsync(connection, accessKey, cancellationToken))
        {
            return -1;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM account_secrets WHERE access_key = $ak
              AND secret_id < (SELECT max(secret_id) FROM account_secrets WHERE access_key = $ak);
            """;
        command.Parameters.AddWithValue("$ak", accessKey);
        var removed = await command.ExecuteNonQueryAsync(cancellationToken);
        await SqliteDatabase.BumpChangeVersionAsync(connection, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed;
    }

    private static async Task<bool> ExistsAsync(SqliteConnection connection, string accessKey, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM accounts WHERE access_key = $ak;";
        command.Parameters.AddWithValue("$ak", accessKey);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 1;
    }

    private static Task InsertSecretAsync(SqliteConnection connection, string accessKey, byte[] sealedSecret, long now,
        CancellationToken cancellationToken) =>
        SqliteDatabase.ExecuteAsync(connection, "INSERT INTO account_secrets (access_key, sealed, created_at_ms) VALUES ($ak, $sealed, $now);",
            cancellationToken, ("$ak", accessKey), ("$sealed", sealedSecret), ("$now", now));

    private static string FormatVdns(IEnumerable<int> vdns) => string.Join(',', vdns.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    private static int[] ParseVdns(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
