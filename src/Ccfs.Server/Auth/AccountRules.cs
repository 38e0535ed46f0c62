using System.Security.Cryptography;

namespace Ccfs.Server.Auth;

/// <summary>What makes an access key and a VDN list acceptable, for configuration and the admin API alike.</summary>
public static class AccountRules
{
    public const int MaxAccessKeyLength = 128;

    /// <summary>The secrets an account may hold: during a rotation the old and the new sign, until the old is retired.</summary>
    public const int MaxSecrets = 2;
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// The prefix of the names the server itself acts under in the audit trail and events (<c>ccfs:retention</c>), which
    /// no account may take, or its calls would be taken for the server's.
    /// </summary>
    public const string ReservedPrefix = "ccfs:";

    /// <summary>The access key sits between slashes in the Authorization header, so it cannot hold one.</summary>
    public static string? AccessKeyProblem(string? accessKey) =>
        string.IsNullOrWhiteSpace(accessKey) || accessKey.Length > MaxAccessKeyLength
        || accessKey.Any(c => c == '/' || char.IsWhiteSpace(c) || char.IsControl(c))
            ? $"AccessKey must be 1 to {MaxAccessKeyLength} characters, without '/', spaces or control characters"
            : accessKey.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase)
                ? $"AccessKey must not start with '{ReservedPrefix}', which names the server's own actions (such as ccfs:retention)"
                : null;

    public static string? VdnProblem(IReadOnlyCollection<int>? vdnIds) =>
        vdnIds is null || vdnIds.Count == 0 || vdnIds.Any(v => v <= 0)
            ? "VdnIds must list at least one VDN, each a positive integer"
            : null;

    /// <summary>20 characters, like the access keys Huawei's Configuration Center hands out.</summary>
    public static string NewAccessKey() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 20);

    /// <summary>40 random alphanumerics: about 238 bits.</summary>
    public static string NewSecretKey() => RandomNumberGenerator.GetString(Alphanumeric, 40);
}
