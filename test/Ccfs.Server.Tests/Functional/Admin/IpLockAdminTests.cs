using System.Net;
using System.Text.Json;
using Ccfs.Protocol;
using Microsoft.Extensions.Logging;

namespace Ccfs.Server.Tests.Functional.Admin;

/// <summary>
/// A lock is something an operator can see and undo: it is logged when it starts, the requests it refuses are logged
/// without flooding, and the admin API lists and lifts it.
/// </summary>
public sealed class IpLockAdminTests : IDisposable
{
    private const string Locked = "198.51.100.30";
    private const string Operator = "198.51.100.31";
    private readonly CcfsFactory _factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "2" });

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_lock_is_logged_with_the_address_and_until_when()
    {
        var lockedAt = _factory.Time.GetUtcNow();

        await LockAsync();

        var line = Assert.Single(_factory.Logs, l => l.Message.StartsWith("Locked client address", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains(Locked, line.Message, StringComparison.Ordinal);
        Assert.Contains((lockedAt + TimeSpan.FromMinutes(10)).ToString("o", System.Globalization.CultureInfo.InvariantCulture), line.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_requests_are_logged_and_audited_once_a_minute_per_address_with_their_count()
    {
        await LockAsync();

        for (var i = 0; i < 5; i++)
        {
            await AssertLockedAsync(await Upload(Locked));
        }

        _factory.Time.Advance(TimeSpan.FromSeconds(61));
        await AssertLockedAsync(await Upload(Locked));

        // The first refusal of the window (while locking) and the first of the next window are logged as themselves; the
        // five between them share one line and one audit entry.
        var single = _factory.Logs.Where(l => l.Message.StartsWith("uploadFile HTTP 403 ", StringComparison.Ordinal) && l.Message.Contains(Locked,
            StringComparison.Ordinal)).ToList();
        Assert.Equal(2, single.Count);
        var repeated = Assert.Single(_factory.Logs, l => l.Message.Contains("with HTTP 403", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, repeated.Level);
        Assert.StartsWith($"Refused 5 more request(s) from {Locked} with HTTP 403 (IpLocked) since ", repeated.Message, StringComparison.Ordinal);
        using var audit = await Admin(HttpMethod.Get, "/admin/api/audit?limit=100");
        var entries = System.Text.Json.JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.GetProperty("entries")
            .EnumerateArray().Where(e => e.GetProperty("clientIp").GetString() == Locked && e.GetProperty("resultCode").GetString() == "403")
            .Select(e => e.GetProperty("repeats").GetInt64()).Order().ToList();
        Assert.Equal([1, 1, 5], entries);
    }

    [Fact]
    public async Task An_admin_lists_the_locks()
    {
        await LockAsync();

        using var listed = await Admin(HttpMethod.Get, "/admin/api/ip-locks");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var lockEntry = Assert.Single(JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.GetProperty("locks").EnumerateArray());
        Assert.Equal(Locked, lockEntry.GetProperty("address").GetString());
        Assert.Equal(_factory.Time.GetUtcNow() + TimeSpan.FromMinutes(10), lockEntry.GetProperty("lockedUntil").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_admin_lifts_a_lock_from_another_address_and_the_change_is_audited()
    {
        await LockAsync();
        var before = _factory.Snapshot();

        using var lifted = await Admin(HttpMethod.Delete, $"/admin/api/ip-locks/{Locked}");
        using var again = await Admin(HttpMethod.Delete, $"/admin/api/ip-locks/{Locked}");
        using var listed = await Admin(HttpMethod.Get, "/admin/api/ip-locks");

        Assert.Equal(HttpStatusCode.NoContent, lifted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains("is not locked", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.GetProperty("locks").EnumerateArray());
        Assert.Equal(before, _factory.Snapshot());
        Assert.Contains(_factory.Logs, l => l.Level == LogLevel.Warning
            && l.Message == $"The lock on client address {Locked} was lifted by {CcfsFactory.AdminAccessKey}");
        await CcfsAnswer.AssertTripleAsync(await Upload(Locked), "0", "success");

        var audit = await AuditAsync("admin:liftIpLock");
        Assert.Equal(["404", "204"], audit.Select(e => e.GetProperty("resultCode").GetString()));
        Assert.All(audit, e => Assert.Equal("ip-lock:" + Locked, e.GetProperty("file").GetString()));
        Assert.All(audit, e => Assert.Equal(Operator, e.GetProperty("clientIp").GetString()));
    }

    [Fact]
    public async Task A_locked_address_cannot_lift_its_own_lock()
    {
        await LockAsync();

        using var refused = await Admin(HttpMethod.Delete, $"/admin/api/ip-locks/{Locked}", from: Locked);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await AssertLockedAsync(await Upload(Locked));
    }

    [Theory]
    [InlineData("not-an-address", HttpStatusCode.BadRequest, "'not-an-address' is not an IP address")]
    [InlineData("198.51.100.99", HttpStatusCode.NotFound, "198.51.100.99 is not locked")]
    public async Task Lifting_what_is_no_lock_changes_nothing(string address, HttpStatusCode status, string error)
    {
        await LockAsync();

        using var refused = await Admin(HttpMethod.Delete, $"/admin/api/ip-locks/{address}");

        Assert.Equal(status, refused.StatusCode);
        Assert.Equal(error, JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        await AssertLockedAsync(await Upload(Locked));
    }

    [Fact]
    public async Task Only_an_administrator_lifts_a_lock()
    {
        await LockAsync();

        using var refused = await _factory.Signed().SendAsync(HttpMethod.Delete, $"/admin/api/ip-locks/{Locked}",
            options: new SignOptions { SignedHeaders = ["host"], AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, Operator) });

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await AssertLockedAsync(await Upload(Locked));
    }

    private async Task LockAsync()
    {
        var wrong = new SignOptions
        {
            Credential = new(CcfsFactory.AccessKey, "wrong"),
            AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, Locked),
        };
        // Each refusal says how close the address is to its lock, before it happens.
        string[] notes = ["(1 more such failure from this address: 2 within ", "(this address is now locked: 2 within "];
        foreach (var note in notes)
        {
            using var refused = await _factory.Signed().UploadAsync(Samples.Sine, options: wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains(note, CcfsAnswer.Reason(refused), StringComparison.Ordinal);
        }

        await AssertLockedAsync(await Upload(Locked));
    }

    private Task<HttpResponseMessage> Upload(string from) => _factory.Signed().UploadAsync(Samples.Sine,
        options: new SignOptions { AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, from) });

    private Task<HttpResponseMessage> Admin(HttpMethod method, string path, string from = Operator) => _factory.Admin().SendAsync(method, path,
        options: new SignOptions { SignedHeaders = ["host"], AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, from) });

    private async Task<List<JsonElement>> AuditAsync(string interfaceName)
    {
        for (var i = 0; i < 200; i++)
        {
            using var response = await Admin(HttpMethod.Get, "/admin/api/audit?interface=" + interfaceName);
            var entries = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("entries").EnumerateArray().ToList();
            if (entries.Count >= 2)
            {
                return entries;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"no two {interfaceName} audit entries appeared");
        return [];
    }

    private static async Task AssertLockedAsync(HttpResponseMessage response)
    {
        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Forbidden, CcfsPaths.UploadFile);
        // Until when, and what lifts it; Retry-After says the same in seconds.
        var reason = CcfsAnswer.Reason(response);
        Assert.StartsWith($"this client address ({Locked}) is locked after repeated authentication failures until ", reason, StringComparison.Ordinal);
        Assert.EndsWith("; an administrator can lift it from another address (ccfs admin ip-locks lift ADDRESS)", reason, StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 600 }, $"Retry-After: {response.Headers.RetryAfter}");
    }
}
