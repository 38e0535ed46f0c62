using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ccfs.Server.Auth;

namespace Ccfs.Server.Tests.Process;

/// <summary>The README's server command, as a process: what it listens on, its certificate, its development account.</summary>
public sealed partial class StartupProcessTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-start", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task With_nothing_configured_it_serves_https_on_8443_with_the_printed_certificate_and_the_development_account()
    {
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = _dataDir });
        string? fingerprint = null;
        using var handler = new HttpClientHandler
        {
            // Pin the certificate by the fingerprint the server printed, as the README tells clients to.
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && fingerprint is not null
                && string.Equals(Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)), fingerprint.Replace(":", "", StringComparison.Ordinal),
                    StringComparison.Ordinal),
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("https://127.0.0.1:8443") };
        await WaitForAsync(() => (fingerprint = FingerprintPattern().Match(server.Output) is { Success: true } m ? m.Groups[1].Value : null) is not null, server);

        await server.WaitUntilHealthyAsync(http);
        var development = Account.Development;
        var client = new SignedClient(http, new(development.AccessKey, development.SecretKeys[0]), TimeProvider.System);
        var stored = await client.UploadAsync(Samples.Sine, vdnId: 1);
        var otherVdn = await client.UploadAsync(Samples.Sine, vdnId: 2);

        await CcfsAnswer.AssertTripleAsync(stored, "0", "success");
        Assert.Equal(HttpStatusCode.Unauthorized, otherVdn.StatusCode);

        // Over HTTP/2 an oversized body is answered at once and the stream reset, so the client stops sending.
        using var oversized = new HttpRequestMessage(HttpMethod.Post, "/CCFS/resource/ccfs/ivr/uploadFile?vdnId=1")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(new byte[9_000_000]),
        };
        oversized.Content.Headers.ContentType = new("application/json");
        var tooLarge = await http.SendAsync(oversized);
        Assert.Equal(HttpVersion.Version20, tooLarge.Version);
        await CcfsAnswer.AssertTripleAsync(tooLarge, "0300003", "The length of data is too long.");
        Assert.Contains("development account AK=ccfs-dev-ak", server.Output, StringComparison.Ordinal);
        var certificate = Path.Combine(_dataDir, "tls", "ccfs-selfsigned.pfx");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(certificate));
        }
    }

    [Fact]
    public async Task A_configured_certificate_is_logged_with_the_fingerprint_it_serves_with()
    {
        Directory.CreateDirectory(_dataDir);
        var pfx = Path.Combine(_dataDir, "operator.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=ccfs.example", key, HashAlgorithmName.SHA256,
                RSASignaturePadding.Pkcs1);
            using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(pfx, made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-password"));
        }

        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Kestrel__Certificates__Default__Path"] = pfx,
            ["Kestrel__Certificates__Default__Password"] = "pfx-password",
        }, "--urls", $"https://127.0.0.1:{port}");
        string? served = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                served = string.Join(':', certificate!.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
                return true;
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };

        await server.WaitUntilHealthyAsync(http);

        Assert.NotNull(served);
        Assert.Contains($"TLS certificate {pfx}, SHA-256 fingerprint {served}", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("pfx-password", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_non_loopback_listener_and_no_account_it_refuses_to_start_and_says_why()
    {
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = _dataDir },
            "--urls", $"http://0.0.0.0:{port}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(2, server.ExitCode);
        Assert.Contains("no account is configured and the server would listen on http://0.0.0.0:", server.Output, StringComparison.Ordinal);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task A_configuration_error_names_the_key_and_stops_with_exit_code_2()
    {
        await using var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Ccfs__Parameters__UploadPathRule"] = "/3rdfile/%VDN%/thirdvoicebotfile/",
        }, "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(2, server.ExitCode);
        Assert.Contains("Ccfs:Parameters:UploadPathRule", server.Output, StringComparison.Ordinal);
        Assert.Contains("%VDN%", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_catalog_out_of_reach_at_start_exits_75_so_a_service_manager_starts_it_again()
    {
        // Nothing listens on the port: PostgreSQL is down, which may pass, unlike a bad key (2).
        var closed = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Ccfs__Catalog__Provider"] = "Postgres",
            ["Ccfs__Catalog__ConnectionString"] = $"Host=127.0.0.1;Port={closed};Username=ccfs;Password=x;Database=ccfs;Timeout=2",
        }.WithTestAccounts(admin: false, CcfsFactory.Vdn), "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}");

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), server.Output);
        Assert.Equal(75, server.ExitCode);
        Assert.Contains("ccfs cannot start: ", server.Output, StringComparison.Ordinal);
        Assert.Contains("this may pass by itself; exit code 75", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_documented_environment_variable_takes_effect()
    {
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string>
        {
            ["Ccfs__DataDir"] = _dataDir,
            ["Ccfs__Accounts__0__AccessKey"] = "env-ak",
            ["Ccfs__Accounts__0__SecretKey"] = "env-sk",
            ["Ccfs__Accounts__0__VdnIds__0"] = "77",
            ["Ccfs__Parameters__UploadSizeLimitMb"] = "0.02",
            ["Ccfs__Parameters__UploadPathRule"] = "/prompts/%VDNNO%/",
            ["Ccfs__Parameters__DriveLetter"] = "Z",
            ["Ccfs__Parameters__AcceptedEncodings"] = "alaw,mulaw",
            ["Ccfs__Locations__0__Id"] = "7",
            ["Ccfs__Auth__MaxClockSkew"] = "00:01:00",
        }, "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await server.WaitUntilHealthyAsync(http);
        var client = new SignedClient(http, new("env-ak", "env-sk"), TimeProvider.System);

        var stored = await CcfsAnswer.AssertTripleAsync(await client.UploadAsync(Samples.Sine, vdnId: 77), "0", "success");
        var muLaw = await client.UploadAsync(Samples.Read("optional", "mulaw-8k-sine.wav"), vdnId: 77);
        var tooLong = await client.UploadAsync(Samples.ALawOfSize(30_000), vdnId: 77);
        var stale = await client.UploadAsync(Samples.Sine, vdnId: 77, new() { At = DateTimeOffset.UtcNow.AddMinutes(-2) });

        var fileName = stored.GetProperty("resultData").GetProperty("fileName").GetString()!;
        Assert.Matches("^Z:/prompts/77/[A-Za-z0-9]{8}_[0-9]{13}\\.wav$", fileName);
        Assert.Equal(["7"], stored.GetProperty("resultData").GetProperty("locationId").EnumerateArray().Select(e => e.GetString()));
        Assert.True(File.Exists(Path.Combine(_dataDir, "locations", "7", fileName[3..])));
        await CcfsAnswer.AssertTripleAsync(muLaw, "0", "success");
        await CcfsAnswer.AssertTripleAsync(tooLong, "0300003", "The length of data is too long.");
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, ServerProcess server)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            Assert.False(server.HasExited, server.Output);
            await Task.Delay(100);
        }

        Assert.True(condition(), server.Output);
    }

    [GeneratedRegex("SHA-256 fingerprint ([0-9A-F:]{95})")]
    private static partial Regex FingerprintPattern();
}
