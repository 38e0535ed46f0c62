namespace Ccfs.Server.Catalog;

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

    /// <summary>
    /// The catalog's master key check: a value sealed with the key the catalog's secrets are sealed with. Stores
    /// <paramref name="sealedCheck"/> if the catalog has none yet, and returns the one it holds.
    /// </summary>
    Task<byte[]> ClaimKeyCheckAsync(byte[] sealedCheck, CancellationToken cancellationToken);
}
