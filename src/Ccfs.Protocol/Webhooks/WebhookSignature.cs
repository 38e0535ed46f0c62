using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ccfs.Protocol.Webhooks;

/// <summary>
/// The Standard Webhooks signature, one implementation for the server that signs deliveries and the tools that verify
/// them (<c>ccfs events listen</c>): <c>v1,</c> followed by the Base64 HMAC-SHA256 of <c>{id}.{timestamp}.{body}</c>,
/// keyed with the Base64 bytes of a <c>whsec_</c> secret. The body is hashed as the bytes sent, never as a string, so
/// a receiver that re-serialises JSON before verifying fails, as it should.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>How far a delivery's timestamp may be from the receiver's clock, as the specification recommends.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>A new secret: <c>whsec_</c> and the Base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a secret, with or without its <c>whsec_</c> prefix; false if it is not Base64 of at least 16 bytes.</summary>
    public static bool TryReadKey(string secret, out byte[] key)
    {
        var text = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        key = [];
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return false;
        }

        return key.Length >= 16;
    }

    /// <summary>The <c>webhook-signature</c> header value for one delivery.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(key, id, timestamp, body, mac);
        return "v1," + Convert.ToBase64String(mac);
    }

    /// <summary>
    /// Whether one of the space-separated signatures in <paramref name="signatures"/> is the <c>v1</c> signature of the
    /// delivery, and its timestamp within <paramref name="tolerance"/> of <paramref name="now"/>. Compared in constant time.
    /// </summary>
    public static WebhookVerification Verify(ReadOnlySpan<byte> key, string? id, string? timestamp, string? signatures,
        ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return WebhookVerification.MissingHeaders;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return WebhookVerification.BadTimestamp;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return WebhookVerification.OutsideTolerance;
        }

        Span<byte> expected = stackalloc byte[32];
        Compute(key, id, seconds, body, expected);
        Span<byte> given = stackalloc byte[32];
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate.StartsWith("v1,", StringComparison.Ordinal)
                && Convert.TryFromBase64String(candidate[3..], given, out var written) && written == 32
                && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return WebhookVerification.Valid;
            }
        }

        return WebhookVerification.Mismatch;
    }

    private static void Compute(ReadOnlySpan<byte> key, string id, long timestamp, ReadOnlySpan<byte> body, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes(id));
        hmac.AppendData("."u8);
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture)));
        hmac.AppendData("."u8);
        hmac.AppendData(body);
        hmac.GetHashAndReset(mac);
    }
}

/// <summary>What <see cref="WebhookSignature.Verify"/> found.</summary>
public enum WebhookVerification
{
    Valid,

    /// <summary>A webhook-id, webhook-timestamp or webhook-signature header is missing or empty.</summary>
    MissingHeaders,

    /// <summary>webhook-timestamp is not a whole number of seconds.</summary>
    BadTimestamp,

    /// <summary>The timestamp is too far from now: an old delivery replayed, or a clock off.</summary>
    OutsideTolerance,

    /// <summary>No signature matches: another secret, or a body changed on the way.</summary>
    Mismatch,
}
