using System.Net;
using System.Text.Json;
using Ccfs.Protocol.Auth;

namespace Ccfs.Cli.Tests;

/// <summary><c>ccfs admin ip-locks</c>: an operator lists the addresses the server locked and lifts a lock from the shell.</summary>
public sealed class IpLockCommandTests(RunningLockingServer server) : IClassFixture<RunningLockingServer>
{
    private const string Locked = "203.0.113.9";

    [Fact]
    public async Task An_operator_lists_the_locked_addresses_and_lifts_one()
    {
        await LockAsync(Locked);

        var listed = await Cli.RunAsync(server.AdminEnvironment(), "admin", "ip-locks");
        var lifted = await Cli.RunAsync(server.AdminEnvironment(), "admin", "ip-locks", "lift", Locked);
        var again = await Cli.RunAsync(server.AdminEnvironment(), "admin", "ip-locks", "lift", Locked);
        var empty = await Cli.RunAsync(server.AdminEnvironment(), "admin", "ip-locks");

        Assert.Equal(ExitCodes.Success, listed.ExitCode);
        Assert.Matches($"^{Regex(Locked)}\tlocked until 20[0-9-]+T[0-9:.]+(Z|\\+00:00)\n$", listed.Out.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal((ExitCodes.Success, $"lifted the lock on {Locked}\n"), (lifted.ExitCode, lifted.Out.Replace("\r", "", StringComparison.Ordinal)));
        Assert.Equal(ExitCodes.Failed, again.ExitCode);
        Assert.Contains($"ccfs: HTTP 404: {Locked} is not locked", again.Error, StringComparison.Ordinal);
        Assert.Equal("no client address is locked", empty.Out.Trim());
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(Locked, CcfsFactory.SecretKey)).Status);
    }

    [Fact]
    public async Task Someone_who_is_no_administrator_exits_3()
    {
        var result = await Cli.RunAsync(server.Environment(), "admin", "ip-locks");

        Assert.Equal(ExitCodes.AuthenticationRefused, result.ExitCode);
        Assert.Contains("not an administrator", result.Error, StringComparison.Ordinal);
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private async Task LockAsync(string address)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await UploadAsync(address, "wrong")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UploadAsync(address, "wrong")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(address, CcfsFactory.SecretKey)).Status);
    }

    /// <summary>An upload as if from <paramref name="address"/>, forwarded by the trusted proxy on loopback.</summary>
    private async Task<(HttpStatusCode Status, string Body)> UploadAsync(string address, string secretKey)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.Endpoint) };
        var client = new SignedClient(http, new AccessKeyCredential(CcfsFactory.AccessKey, secretKey), TimeProvider.System);
        using var response = await client.UploadAsync(Samples.Sine,
            options: new SignOptions { AfterSigning = r => r.Headers.Add("X-Forwarded-For", address) });
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>
/// <c>ccfs conformance</c> against a server that locks this client's address partway: the suite says so and how to lift
/// the lock, instead of reporting every later check as failed.
/// </summary>
public sealed class ConformanceLockTests(RunningLockingServer server) : IClassFixture<RunningLockingServer>
{
    [Fact]
    public async Task A_lock_stops_the_run_with_exit_3_and_says_how_to_lift_it()
    {
        var (code, output, error) = await Cli.RunAsync(server.Environment(), "conformance", "--mode", "full");

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(ExitCodes.AuthenticationRefused, code);
        Assert.DoesNotContain(lines, l => l.GetProperty("status").GetString() == "FAIL");
        var first = lines.First(l => l.GetProperty("status").GetString() == "NA");
        Assert.StartsWith("not checked: the endpoint answered HTTP 403", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.All(lines.SkipWhile(l => l.GetProperty("status").GetString() != "NA").Skip(1),
            l => Assert.StartsWith("not run: ", l.GetProperty("error").GetString(), StringComparison.Ordinal));
        Assert.Contains("ccfs admin ip-locks lift ADDRESS", error, StringComparison.Ordinal);
        Assert.Contains("0 failed", error, StringComparison.Ordinal);
    }
}
