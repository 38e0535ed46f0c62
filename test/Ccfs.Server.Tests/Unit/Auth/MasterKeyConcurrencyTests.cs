using System.Security.Cryptography;
using Ccfs.Server.Auth;

namespace Ccfs.Server.Tests.Unit.Auth;

/// <summary>
/// One <see cref="MasterKey"/> serves the whole server, from many threads at once: webhook stream
/// deliveries open their subscription's secret when they start (StreamDelivery.RunAsync), the account directory opens
/// every account's secrets after each catalog change (AccountDirectory.Load), and the admin API seals new account and
/// subscription secrets. Its one <see cref="AesGcm"/> is not thread-safe: used at once unguarded, opens failed or threw,
/// seals threw, and some seals silently produced bytes that never open (a credential lost for good).
/// </summary>
public sealed class MasterKeyConcurrencyTests
{
    [Fact]
    public void Secrets_open_and_seal_correctly_from_two_threads_at_once()
    {
        using var key = new MasterKey(RandomNumberGenerator.GetBytes(32));
        var stored = Enumerable.Range(0, 16).Select(i => (Context: $"subscription:sub_{i}", Secret: $"whsec_secret-{i}-{new string('x', 40)}"))
            .Select(s => (s.Context, s.Secret, Sealed: key.Seal(s.Context, s.Secret))).ToArray();
        int failedOpens = 0, thrown = 0;
        var fresh = new System.Collections.Concurrent.ConcurrentBag<(string Context, string Secret, byte[] Sealed)>();
        using var start = new Barrier(2);
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 20_000; i++)
            {
                var (context, secret, sealedBytes) = stored[(t + i) % stored.Length];
                try
                {
                    if (key.Open(context, sealedBytes) != secret)
                    {
                        Interlocked.Increment(ref failedOpens);
                    }

                    if (i % 10 == 0)
                    {
                        fresh.Add((context, secret, key.Seal(context, secret)));
                    }
                }
                catch (CryptographicException)
                {
                    Interlocked.Increment(ref thrown);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        // Checked alone, afterwards: what was sealed under contention is what the catalog would keep.
        var unopenable = fresh.Count(f => key.Open(f.Context, f.Sealed) != f.Secret);
        Assert.True(failedOpens == 0 && thrown == 0 && unopenable == 0,
            $"under concurrent use: {failedOpens} opens of good secrets failed, {thrown} calls threw, {unopenable} of {fresh.Count} secrets sealed meanwhile never open");
    }
}
