using System.Net;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Http;

/// <summary>
/// What an upload must pass before it holds one of the bounded slots: a header that could be valid. A request that can
/// never be admitted is refused at once, whatever the slots are doing, and neither waiting nor such a refusal counts
/// towards the IP lock.
/// </summary>
public sealed class UploadAdmissionTests
{
    /// <summary>Headers that cannot be valid, whoever sends them; each must be refused before it waits for a slot.</summary>
    public static TheoryData<string> HopelessHeaders() =>
        ["no authorization", "unknown access key", "timestamp from 2001", "timestamp 16 minutes ahead", "host not signed",
            "signature not hexadecimal", "not auth-v2"];

    [Theory]
    [MemberData(nameof(HopelessHeaders))]
    public async Task A_hopeless_header_is_refused_at_once_while_every_slot_is_taken(string header)
    {
        using var factory = new GatedStoreFactory();
        var client = factory.Signed();
        var holding = client.UploadAsync(Samples.Sine);
        var before = await factory.HeldSnapshotAsync();

        var refused = await client.UploadAsync(Samples.Sine, options: Hopeless(header, factory.Time.GetUtcNow()))
            .WaitAsync(TimeSpan.FromSeconds(30));

        await CcfsAnswer.AssertSpringAsync(refused, HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        Assert.Equal(before, factory.Snapshot());
        factory.Store.Open();
        await CcfsAnswer.AssertTripleAsync(await holding, "0", "success");
    }

    /// <summary>Hopeless headers that prove nothing about anyone's keys; an unknown access key is a guess at one, and counts.</summary>
    public static TheoryData<string> HeadersThatProveNothing() =>
        ["no authorization", "timestamp from 2001", "timestamp 16 minutes ahead", "host not signed", "signature not hexadecimal", "not auth-v2"];

    [Theory]
    [MemberData(nameof(HeadersThatProveNothing))]
    public async Task A_hopeless_header_that_guesses_no_key_never_counts_towards_the_ip_lock(string header)
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "2" });
        var client = factory.Signed();
        for (var i = 0; i < 5; i++)
        {
            var hopeless = Hopeless(header, factory.Time.GetUtcNow());
            var refused = await client.UploadAsync(Samples.Sine, options: hopeless with
            {
                AfterSigning = r =>
                {
                    hopeless.AfterSigning?.Invoke(r);
                    r.Headers.Add(CcfsFactory.ClientIpHeader, "198.51.100.20");
                },
            });
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var honest = await client.UploadAsync(Samples.Sine, options: From("198.51.100.20"));

        await CcfsAnswer.AssertTripleAsync(honest, "0", "success");
    }

    [Fact]
    public async Task An_access_key_no_account_has_counts_towards_the_ip_lock_and_nothing_is_stored()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "2" });
        var client = factory.Signed();
        var before = factory.Snapshot();
        var unknown = Hopeless("unknown access key", factory.Time.GetUtcNow());
        var guess = unknown with
        {
            AfterSigning = r =>
            {
                unknown.AfterSigning?.Invoke(r);
                r.Headers.Add(CcfsFactory.ClientIpHeader, "198.51.100.22");
            },
        };

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.UploadAsync(Samples.Sine, options: guess)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.UploadAsync(Samples.Sine, options: guess)).StatusCode);
        var locked = await client.UploadAsync(Samples.Sine, options: From("198.51.100.22"));

        await CcfsAnswer.AssertSpringAsync(locked, HttpStatusCode.Forbidden, CcfsPaths.UploadFile);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_signature_that_does_not_match_a_well_formed_header_still_counts()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "2" });
        var client = factory.Signed();
        var zeroes = From("198.51.100.21") with { Authorization = a => a[..(a.LastIndexOf('/') + 1)] + new string('0', 64) };

        await client.UploadAsync(Samples.Sine, options: zeroes);
        await client.UploadAsync(Samples.Sine, options: zeroes);
        var locked = await client.UploadAsync(Samples.Sine, options: From("198.51.100.21"));

        await CcfsAnswer.AssertSpringAsync(locked, HttpStatusCode.Forbidden, CcfsPaths.UploadFile);
    }

    [Fact]
    public async Task A_queued_upload_waits_a_bounded_time_then_is_0300503_with_retry_after_and_stores_nothing()
    {
        using var factory = new GatedStoreFactory(new()
        {
            ["Ccfs:Limits:UploadQueueLength"] = "1",
            ["Ccfs:Limits:UploadQueueTimeout"] = "00:00:01",
            ["Ccfs:Auth:IpLock:MaxFailures"] = "1",
        });
        var client = factory.Signed();
        var holding = client.UploadAsync(Samples.Sine);
        var before = await factory.HeldSnapshotAsync();

        var waited = await client.UploadAsync(Samples.Sine).WaitAsync(TimeSpan.FromSeconds(30));

        await CcfsAnswer.AssertTripleAsync(waited, "0300503", "The service is temporarily unavailable, try again later.",
            HttpStatusCode.ServiceUnavailable);
        Assert.Equal("no upload slot came free within 1 s", CcfsAnswer.Reason(waited));
        Assert.Equal("5", waited.Headers.RetryAfter?.ToString());
        Assert.Equal(before, factory.Snapshot());
        Assert.Contains(factory.Logs, l => l.Message.Contains("waited 00:00:01 for a slot and was answered 0300503", StringComparison.Ordinal));

        // Waiting is no authentication failure: with a lock after one failure, the same address is still served.
        factory.Store.Open();
        await CcfsAnswer.AssertTripleAsync(await holding, "0", "success");
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine), "0", "success");
    }

    [Fact]
    public async Task An_upload_queued_behind_a_slot_that_frees_in_time_is_stored()
    {
        using var factory = new GatedStoreFactory(new()
        {
            ["Ccfs:Limits:UploadQueueLength"] = "1",
            ["Ccfs:Limits:UploadQueueTimeout"] = "00:01:00",
        });
        var client = factory.Signed();
        var holding = client.UploadAsync(Samples.Sine);
        await factory.Store.WriteStarted.WaitAsync(TimeSpan.FromSeconds(30));

        var queued = client.UploadAsync(Samples.Sine);
        factory.Store.Open();

        await CcfsAnswer.AssertTripleAsync(await holding, "0", "success");
        await CcfsAnswer.AssertTripleAsync(await queued.WaitAsync(TimeSpan.FromSeconds(30)), "0", "success");
    }

    private static SignOptions Hopeless(string header, DateTimeOffset now) => header switch
    {
        "no authorization" => new() { AfterSigning = r => r.Headers.Authorization = null },
        "unknown access key" => new() { Credential = new("nobody", CcfsFactory.SecretKey) },
        "timestamp from 2001" => new() { At = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero) },
        "timestamp 16 minutes ahead" => new() { At = now.AddMinutes(16) },
        "host not signed" => new() { SignedHeaders = ["content-length", "content-type"] },
        "signature not hexadecimal" => new() { Authorization = a => a[..(a.LastIndexOf('/') + 1)] + new string('z', 64) },
        "not auth-v2" => new() { Authorization = a => "auth-v3" + a["auth-v2".Length..] },
        _ => throw new ArgumentOutOfRangeException(nameof(header), header, null),
    };

    private static SignOptions From(string ip) => new() { AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, ip) };
}
