using Ccfs.Server.Configuration;

namespace Ccfs.Server.Auth;

/// <summary>AK → account. The one place accounts are read from, so later sources (the catalog) plug in here.</summary>
public sealed class AccountDirectory(CcfsSettings settings)
{
    private readonly Dictionary<string, Account> _byAccessKey = settings.Accounts.ToDictionary(a => a.AccessKey, StringComparer.Ordinal);

    public Account? Find(string accessKey) => _byAccessKey.GetValueOrDefault(accessKey);
}
