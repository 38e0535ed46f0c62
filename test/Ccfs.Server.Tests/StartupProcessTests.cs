using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ccfs.Server.Auth;

namespace Ccfs.Server.Tests;

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
        Assert.Contains("development account AK=ccfs-dev-ak", server.Output, StringComparison.Ordinal);
        var certificate = Path.Combine(_dataDir, "tls", "ccfs-selfsigned.pfx");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(certificate));
        }
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
