using Ccfs.Protocol.Webhooks;
using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;

namespace Ccfs.Server.Events;

/// <summary>A subscription's signing secret, sealed with the master key like account secrets, bound to the subscription's id.</summary>
public static class SubscriptionSecrets
{
    public static byte[] Seal(MasterKey masterKey, string subscriptionId, string secret) => masterKey.Seal(Context(subscriptionId), secret);

    /// <summary>The subscription's keys: its secret's, and the one before a rotation while that still signs (unreadable: left out).</summary>
    public static bool TryOpen(MasterKey masterKey, StoredSubscription subscription, out SigningKeys keys)
    {
        keys = null!;
        if (!TryOpen(masterKey, subscription.Id, subscription.SealedSecret, out var current))
        {
            return false;
        }

        keys = subscription is { PreviousSealedSecret: { } previous, PreviousSecretUntil: { } until }
            && TryOpen(masterKey, subscription.Id, previous, out var old)
            ? new SigningKeys(current, old, until)
            : new SigningKeys(current);
        return true;
    }

    private static bool TryOpen(MasterKey masterKey, string subscriptionId, byte[] sealedSecret, out byte[] key)
    {
        key = [];
        return masterKey.Open(Context(subscriptionId), sealedSecret) is { } secret && WebhookSignature.TryReadKey(secret, out key);
    }

    private static string Context(string subscriptionId) => "subscription:" + subscriptionId;
}

/// <summary>
/// The keys a delivery is signed with: the subscription's secret and, until <paramref name="PreviousUntil"/>, the one a
/// rotation replaced, so a receiver still holding the old secret goes on verifying while it is given the new one.
/// </summary>
public sealed record SigningKeys(byte[] Current, byte[]? Previous = null, DateTimeOffset PreviousUntil = default)
{
    /// <summary>The <c>webhook-signature</c> header of one delivery sent at <paramref name="now"/>: one signature per key in force.</summary>
    public string Sign(string eventId, long timestamp, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var signature = WebhookSignature.Sign(Current, eventId, timestamp, body);
        return Previous is not null && now < PreviousUntil ? signature + " " + WebhookSignature.Sign(Previous, eventId, timestamp, body) : signature;
    }
}
