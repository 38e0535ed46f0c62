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

/// <summary>What <see cref="AccountStore.AddSecretAsync"/> did.</summary>
public enum SecretAddition
{
    Added,
    NoSuchAccount,

    /// <summary>The account already holds <see cref="Auth.AccountRules.MaxSecrets"/>; nothing was added.</summary>
    AtLimit,
}
