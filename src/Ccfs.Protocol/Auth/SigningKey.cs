using System.Security.Cryptography;
using System.Text;

namespace Ccfs.Protocol.Auth;

/// <summary>The first auth-v2 HMAC: lower-case hex of HMAC-SHA256(key = UTF-8(SK), message = UTF-8(prefix)).</summary>
public static class SigningKey
{
    public static string Derive(string secretKey, string authStringPrefix) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(authStringPrefix)));

    /// <summary><c>auth-v2/{AK}/{timestamp}/{signedHeaders}</c>: the header value without its signature.</summary>
    public static string Prefix(string accessKey, string timestamp, string signedHeaderList) =>
        $"{AuthorizationHeader.Scheme}/{accessKey}/{timestamp}/{signedHeaderList}";
}
