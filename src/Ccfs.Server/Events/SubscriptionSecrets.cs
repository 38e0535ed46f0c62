using Ccfs.Protocol.Webhooks;
using Ccfs.Server.Auth;
using Ccfs.Server.Catalog;

namespace Ccfs.Server.Events;

/// <summary>A subscription's signing secret, sealed with the master key like account secrets, bound to the subscription's id.</summary>
public static class SubscriptionSecrets
{
    public static byte[] Seal(MasterKey masterKey, string subscriptionId, string secret) => masterKey.Seal(Context(subscriptionId), secret);

    public static bool TryOpen(MasterKey masterKey, StoredSubscription subscription, out byte[] key)
    {
        key = [];
        return masterKey.Open(Context(subscription.Id), subscription.SealedSecret) is { } secret && WebhookSignature.TryReadKey(secret, out key);
    }

    private static string Context(string subscriptionId) => "subscription:" + subscriptionId;
}
