using System.Text.Json;
using Ccfs.Cli.Conformance;
using Ccfs.Server.Auth;
using Microsoft.AspNetCore.Http;

namespace Ccfs.Cli.Tests;

public sealed class ConformanceTests(RunningServer server) : IClassFixture<RunningServer>
{
    [Theory]
    [InlineData("core")]
    [InlineData("full")]
    public async Task Our_server_passes_every_check(string mode)
    {
        var (code, output, error) = await Cli.RunAsync(server.Environment(), "conformance", "--mode", mode);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(code == ExitCodes.Success, output + error);
        Assert.All(lines, l => Assert.True(l.GetProperty("status").GetString() == "PASS", l.ToString()));
        Assert.Equal(CheckNames(full: mode == "full"), lines.Select(l => l.GetProperty("name").GetString()));
        Assert.All(lines, l => Assert.True(l.GetProperty("duration").GetDouble() >= 0));
    }

    [Fact]
    public async Task Core_holds_none_of_the_specs_judgements_so_a_server_that_chose_otherwise_passes_it()
    {
        // Undocumented choices made the other way: a wide clock skew, host not required among the signed headers.
        using var lenient = CcfsFactory.With(new() { ["Ccfs:Auth:MaxClockSkew"] = "01:00:00", ["Ccfs:Auth:RequireHostSigned"] = "false" });

        var core = await Suite(lenient.CreateClient()).RunAsync(full: false, _ => Task.CompletedTask);
        var full = await Suite(lenient.CreateClient()).RunAsync(full: true, _ => Task.CompletedTask);

        Assert.All(core, r => Assert.True(r.Status == CheckStatus.Pass, $"{r.Name}: {r.Error}"));
        Assert.Equal(["auth.host-not-signed-401", "auth.stale-timestamp-401"],
            full.Where(r => r.Status == CheckStatus.Fail).Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_full_run_signs_wrongly_only_as_often_as_its_checks_need()
    {
        // Two deliberately wrong signatures (wrong-secret, tampered-body) are all a run may count towards the lock; the
        // other auth checks send headers that can never be valid, which the server refuses without counting.
        using var locking = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "3" });
        var suite = Suite(locking.CreateClient());

        var full = await suite.RunAsync(full: true, _ => Task.CompletedTask);

        Assert.All(full, r => Assert.True(r.Status == CheckStatus.Pass, $"{r.Name}: {r.Error}"));
        Assert.Null(suite.LockedOut);
    }

    [Fact]
    public async Task Run_twice_against_the_development_server_it_does_not_lock_its_developer_out()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ccfs-cli", Guid.NewGuid().ToString("N"));
        var port = ServerProcess.FreePort();
        await using var development = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = dataDir },
            "--urls", $"http://127.0.0.1:{port}");
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") })
        {
            await development.WaitUntilHealthyAsync(http);
        }

        var environment = new Dictionary<string, string?> { ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{port}" };
        var runs = new List<(int ExitCode, string Out, string Error)>();
        for (var i = 0; i < 3; i++)
        {
            runs.Add(await Cli.RunAsync(environment, "conformance", "--mode", "full"));
        }

        Assert.All(runs, r => Assert.True(r.ExitCode == ExitCodes.Success, r.Out + r.Error));
        await development.KillAsync();
        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task A_server_that_checks_no_signature_fails_the_auth_checks()
    {
        using var broken = new AcceptsAnySignatureFactory();
        var results = await Suite(broken.CreateClient()).RunAsync(full: true, _ => Task.CompletedTask);

        var failed = results.Where(r => r.Status == CheckStatus.Fail).Select(r => r.Name).ToList();
        Assert.Contains("auth.no-signature-401", failed);
        Assert.Contains("auth.wrong-secret-401", failed);
        Assert.Contains("auth.tampered-body-401", failed);
        Assert.Contains("auth.stale-timestamp-401", failed);
        Assert.All(failed, name => Assert.StartsWith("auth.", name, StringComparison.Ordinal));
        Assert.Contains(results, r => r.Name == "upload.stores-a-prompt" && r.Status == CheckStatus.Pass);
    }

    [Fact]
    public async Task Failures_make_the_command_exit_1()
    {
        var (code, output, error) = await Cli.RunAsync(new Dictionary<string, string?>(server.Environment()) { ["CCFS_ACCESS_KEY"] = "unknown-ak" },
            "conformance");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("\"status\":\"FAIL\"", output, StringComparison.Ordinal);
        Assert.Contains("failed", error, StringComparison.Ordinal);
    }

    private static ConformanceSuite Suite(HttpClient http) =>
        new(new ConformanceRequests(http, new ConnectionSettings(new Uri("http://localhost"), CcfsFactory.AccessKey, CcfsFactory.SecretKey,
            CcfsFactory.Vdn, false, null, TimeSpan.FromSeconds(30))), CcfsFactory.Vdn, 2147483646);

    private static IEnumerable<string> CheckNames(bool full) => Suite(new HttpClient()).Checks.Where(c => full || c.Core).Select(c => c.Name);

    /// <summary>The real server with its signature check replaced by one that lets everyone in as the first account.</summary>
    private sealed class AcceptsAnySignatureFactory : CcfsFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IRequestAuthenticator, AcceptEveryone>());
        }

        private sealed class AcceptEveryone(AccountDirectory accounts) : IRequestAuthenticator
        {
            public Screening Screen(HttpContext http)
            {
                Protocol.Auth.AuthorizationHeader.TryParse($"auth-v2/{AccessKey}/2026-01-01T00:00:00Z/host/{new string('0', 64)}",
                    out var header, out _);
                return new(new ClaimedAccount(accounts.Find(AccessKey), header, AccessKey, Protocol.Auth.AuthV2Failure.None, ""), null);
            }

            public Authentication Authenticate(HttpContext http, ClaimedAccount claim, IReadOnlyList<KeyValuePair<string, string>> query,
                ReadOnlySpan<byte> body) =>
                new(accounts.Find(AccessKey), Protocol.Auth.AuthV2Failure.None, "");
        }
    }
}
