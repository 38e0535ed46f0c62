using Ccfs.Server.Catalog;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Auth;

/// <summary>
/// AK → account: the accounts of configuration (read-only, they always win) and those created through the admin API,
/// whose secrets are opened with the master key when the catalog is loaded. The catalog's set is swapped whole.
/// </summary>
public sealed partial class AccountDirectory(CcfsSettings settings, MasterKey masterKey, ILogger<AccountDirectory> logger)
{
    private readonly Dictionary<string, Account> _configured = settings.Accounts.ToDictionary(a => a.AccessKey, StringComparer.Ordinal);
    private Snapshot _catalog = new(new Dictionary<string, Account>(), new HashSet<string>());

    public IReadOnlyCollection<Account> Configured => _configured.Values;

    public bool IsConfigured(string accessKey) => _configured.ContainsKey(accessKey);

    public Account? Find(string accessKey) =>
        _configured.GetValueOrDefault(accessKey) ?? Volatile.Read(ref _catalog).Enabled.GetValueOrDefault(accessKey);

    /// <summary>Every VDN an enabled account is bound to.</summary>
    public IEnumerable<int> BoundVdns => _configured.Values.Concat(Volatile.Read(ref _catalog).Enabled.Values).SelectMany(a => a.VdnIds).Distinct();

    public bool IsDisabled(string accessKey) => Volatile.Read(ref _catalog).Disabled.Contains(accessKey);

    /// <summary>Puts the catalog's accounts in force.</summary>
    public void Load(IReadOnlyList<StoredAccount> stored)
    {
        var enabled = new Dictionary<string, Account>(StringComparer.Ordinal);
        var disabled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in stored)
        {
            if (_configured.ContainsKey(account.AccessKey))
            {
                continue;
            }

            if (account.Disabled)
            {
                disabled.Add(account.AccessKey);
                continue;
            }

            // Newest first, so the current secret is tried before one being rotated out.
            var secrets = new List<string>();
            foreach (var secret in account.Secrets.OrderByDescending(s => s.Id))
            {
                if (masterKey.Open(account.AccessKey, secret.Sealed) is { } opened)
                {
                    secrets.Add(opened);
                }
                else
                {
                    LogUnopenable(logger, account.AccessKey, secret.Id);
                }
            }

            if (secrets.Count > 0)
            {
                enabled[account.AccessKey] = new Account(account.AccessKey, secrets, account.VdnIds.ToHashSet(), account.IsAdmin);
            }
        }

        Volatile.Write(ref _catalog, new Snapshot(enabled, disabled));
    }

    [LoggerMessage(LogLevel.Error, "Secret {SecretId} of access key {AccessKey} does not open with this master key; "
        + "every node needs the same Ccfs:Security:MasterKey (or master.key file)")]
    private static partial void LogUnopenable(ILogger logger, string accessKey, long secretId);

    private sealed record Snapshot(IReadOnlyDictionary<string, Account> Enabled, IReadOnlySet<string> Disabled);
}
