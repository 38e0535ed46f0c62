using System.Net;
using Ccfs.Protocol;
using Ccfs.Server.Auth;

namespace Ccfs.Server.Tests.Functional.Auth;

/// <summary>The default lock: 10 failed signatures within 5 minutes lock the client address for 10 minutes.</summary>
public sealed class IpLockTests
{
    [Fact]
    public async Task The_eleventh_request_after_ten_failures_is_403_even_when_signed_well()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = null });
        var client = factory.Signed();
        var before = factory.Snapshot();

        for (var i = 0; i < 10; i++)
        {
            var failure = await client.UploadAsync(Samples.Sine, options: From("198.51.100.7") with { Credential = new(CcfsFactory.AccessKey, "wrong") });
            await CcfsAnswer.AssertSpringAsync(failure, HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        }

        var locked = await client.UploadAsync(Samples.Sine, options: From("198.51.100.7"));

        await CcfsAnswer.AssertSpringAsync(locked, HttpStatusCode.Forbidden, CcfsPaths.UploadFile);
        Assert.Equal(before, factory.Snapshot());

        var otherAddress = await client.UploadAsync(Samples.Sine, options: From("198.51.100.8"));

        await CcfsAnswer.AssertTripleAsync(otherAddress, "0", "success");
        Assert.Single(factory.Snapshot().CatalogRows.Except(before.CatalogRows));
    }

    [Fact]
    public async Task The_lock_lifts_after_its_duration()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "3" });
        var client = factory.Signed();
        for (var i = 0; i < 3; i++)
        {
            await client.UploadAsync(Samples.Sine, options: From("198.51.100.9") with { Credential = new(CcfsFactory.AccessKey, "wrong") });
        }

        var locked = await client.UploadAsync(Samples.Sine, options: From("198.51.100.9"));
        factory.Time.Advance(TimeSpan.FromMinutes(10));
        var unlocked = await client.UploadAsync(Samples.Sine, options: From("198.51.100.9"));

        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        await CcfsAnswer.AssertTripleAsync(unlocked, "0", "success");
    }

    [Fact]
    public async Task Failures_spread_wider_than_the_window_do_not_lock()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "3" });
        var client = factory.Signed();
        var wrong = From("198.51.100.10") with { Credential = new(CcfsFactory.AccessKey, "wrong") };

        await client.UploadAsync(Samples.Sine, options: wrong);
        await client.UploadAsync(Samples.Sine, options: wrong);
        factory.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await client.UploadAsync(Samples.Sine, options: wrong);
        var stillOpen = await client.UploadAsync(Samples.Sine, options: From("198.51.100.10"));

        await CcfsAnswer.AssertTripleAsync(stillOpen, "0", "success");
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_forwarded_address_is_the_one_locked()
    {
        using var factory = CcfsFactory.With(new()
        {
            ["Ccfs:Auth:IpLock:MaxFailures"] = "2",
            ["Ccfs:Auth:TrustedProxyHeader"] = "X-Forwarded-For",
            ["Ccfs:Auth:TrustedProxies:0"] = "10.0.0.0/8",
        });
        var client = factory.Signed();
        SignOptions Via(string client) => Forwarded("10.1.2.3", client);

        await client.UploadAsync(Samples.Sine, options: Via("203.0.113.5") with { Credential = new(CcfsFactory.AccessKey, "wrong") });
        await client.UploadAsync(Samples.Sine, options: Via("203.0.113.5") with { Credential = new(CcfsFactory.AccessKey, "wrong") });
        var locked = await client.UploadAsync(Samples.Sine, options: Via("203.0.113.5"));
        var neighbour = await client.UploadAsync(Samples.Sine, options: Via("203.0.113.6"));

        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
        await CcfsAnswer.AssertTripleAsync(neighbour, "0", "success");
    }

    [Fact]
    public async Task An_unreadable_header_from_a_trusted_proxy_is_refused_with_400_and_never_charged_to_the_proxy()
    {
        using var factory = CcfsFactory.With(new()
        {
            ["Ccfs:Auth:IpLock:MaxFailures"] = "2",
            ["Ccfs:Auth:TrustedProxyHeader"] = "X-Forwarded-For",
            ["Ccfs:Auth:TrustedProxies:0"] = "10.0.0.0/8",
        });
        var client = factory.Signed();
        var before = factory.Snapshot();

        for (var i = 0; i < 3; i++)
        {
            var refused = await client.UploadAsync(Samples.Sine, options: Forwarded("10.1.2.3", "unknown, 203.0.113.9") with
            {
                Credential = new(CcfsFactory.AccessKey, "wrong"),
            });
            await CcfsAnswer.AssertSpringAsync(refused, HttpStatusCode.BadRequest, CcfsPaths.UploadFile);
            Assert.StartsWith("the X-Forwarded-For header from the trusted proxy names no client address", CcfsAnswer.Reason(refused));
        }

        // The proxy's address was never charged: everyone behind it is still served.
        Assert.Equal(before, factory.Snapshot());
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine, options: Forwarded("10.1.2.3", "203.0.113.7")), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine, options: new SignOptions
        {
            AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, "10.1.2.3"),
        }), "0", "success");
    }

    [Fact]
    public async Task An_untrusted_peer_cannot_choose_its_address_with_the_header()
    {
        using var factory = CcfsFactory.With(new()
        {
            ["Ccfs:Auth:IpLock:MaxFailures"] = "2",
            ["Ccfs:Auth:TrustedProxyHeader"] = "X-Forwarded-For",
            ["Ccfs:Auth:TrustedProxies:0"] = "10.0.0.0/8",
        });
        var client = factory.Signed();
        SignOptions Claiming(string claimed) => Forwarded("192.0.2.50", claimed);

        await client.UploadAsync(Samples.Sine, options: Claiming("203.0.113.1") with { Credential = new(CcfsFactory.AccessKey, "wrong") });
        await client.UploadAsync(Samples.Sine, options: Claiming("203.0.113.2") with { Credential = new(CcfsFactory.AccessKey, "wrong") });
        var locked = await client.UploadAsync(Samples.Sine, options: Claiming("203.0.113.3"));

        Assert.Equal(HttpStatusCode.Forbidden, locked.StatusCode);
    }

    [Fact]
    public async Task While_the_development_account_is_in_use_loopback_is_never_locked()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "2" }, withAccounts: false);
        var development = Account.Development;
        var client = factory.Signed(development.AccessKey, development.SecretKeys[0]);
        var wrong = new SignOptions { Credential = new(development.AccessKey, "wrong") };

        for (var i = 0; i < 5; i++)
        {
            await CcfsAnswer.AssertSpringAsync(await client.UploadAsync(Samples.Sine, vdnId: 1, options: wrong), HttpStatusCode.Unauthorized,
                CcfsPaths.UploadFile);
        }

        await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine, vdnId: 1), "0", "success");

        // Another address behind a trusted proxy is still locked.
        var remote = wrong with { AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, "198.51.100.40") };
        await client.UploadAsync(Samples.Sine, vdnId: 1, options: remote);
        await client.UploadAsync(Samples.Sine, vdnId: 1, options: remote);
        var locked = await client.UploadAsync(Samples.Sine, vdnId: 1, options: From("198.51.100.40"));
        await CcfsAnswer.AssertSpringAsync(locked, HttpStatusCode.Forbidden, CcfsPaths.UploadFile);
    }

    [Fact]
    public async Task With_accounts_configured_loopback_is_locked_like_any_address()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "2" });
        var client = factory.Signed();
        var wrong = new SignOptions { Credential = new(CcfsFactory.AccessKey, "wrong") };

        await client.UploadAsync(Samples.Sine, options: wrong);
        await client.UploadAsync(Samples.Sine, options: wrong);
        var locked = await client.UploadAsync(Samples.Sine);

        await CcfsAnswer.AssertSpringAsync(locked, HttpStatusCode.Forbidden, CcfsPaths.UploadFile);
    }

    private static SignOptions From(string ip) => new() { AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, ip) };

    private static SignOptions Forwarded(string peer, string client) => new()
    {
        AfterSigning = r =>
        {
            r.Headers.Add(CcfsFactory.ClientIpHeader, peer);
            r.Headers.Add("X-Forwarded-For", client);
        },
    };
}
