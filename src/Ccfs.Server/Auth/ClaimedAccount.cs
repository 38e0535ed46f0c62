using Ccfs.Protocol.Auth;

namespace Ccfs.Server.Auth;

/// <summary>
/// The account an Authorization header names, before its signature is checked; or why it names none (the header is
/// missing or malformed, the access key unknown or disabled). Nothing here proves the caller holds the secret key.
/// </summary>
/// <param name="AccessKey">The access key the header claims, when it could be read.</param>
public readonly record struct ClaimedAccount(Account? Account, AuthorizationHeader? Header, string? AccessKey, AuthV2Failure Failure,
    string Detail)
{
    public static ClaimedAccount Of(string? authorization, AccountDirectory accounts)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return new(null, null, null, AuthV2Failure.MissingAuthorization, "the Authorization header is missing");
        }

        if (!AuthorizationHeader.TryParse(authorization, out var header, out var error))
        {
            return new(null, null, null, AuthV2Failure.MalformedAuthorization, error);
        }

        if (accounts.Find(header!.AccessKey) is not { } account)
        {
            return new(null, header, header.AccessKey, AuthV2Failure.UnknownAccessKey,
                $"access key '{header.AccessKey}' is {(accounts.IsDisabled(header.AccessKey) ? "disabled" : "unknown")}");
        }

        return new(account, header, header.AccessKey, AuthV2Failure.None, "");
    }
}
