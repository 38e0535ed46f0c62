using System.Text.Json;
using System.Text.RegularExpressions;

namespace Ccfs.Cli.Tests;

public sealed partial class SignAndTlsTests
{
    [Fact]
    public async Task Sign_reproduces_huaweis_vector_v7()
    {
        var vectors = JsonDocument.Parse(await File.ReadAllTextAsync(SharedFiles.Spec("auth-v2-vectors.json"))).RootElement;
        var v7 = vectors.GetProperty("vectors").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "V7");

        var (code, output, _) = await Cli.RunAsync(new Dictionary<string, string?>(), "sign",
            "--access-key", v7.GetProperty("accessKey").GetString()!, "--secret-key", v7.GetProperty("secretKey").GetString()!,
            "--path", v7.GetProperty("path").GetString()!, "--query", "vdnId=53",
            "--header", "content-length=59", "--header", "content-type=application/json;charset=UTF-8", "--header", "host=10.22.26.181:28080",
            "--body", v7.GetProperty("body").GetString()!, "--timestamp", v7.GetProperty("timestamp").GetString()!);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains(v7.GetProperty("canonicalRequest").GetString()!, output, StringComparison.Ordinal);
        Assert.Contains(v7.GetProperty("signingKey").GetString()!, output, StringComparison.Ordinal);
        Assert.Contains("Authorization: " + v7.GetProperty("authorization").GetString(), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_https_the_printed_fingerprint_is_trusted_and_nothing_else_is()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ccfs-cli-tls", Guid.NewGuid().ToString("N"));
        var endpoint = $"https://127.0.0.1:{ServerProcess.FreePort()}";
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = dataDir }, "--urls", endpoint);
        string? fingerprint = null;
        for (var i = 0; i < 600 && fingerprint is null; i++)
        {
            fingerprint = Fingerprint().Match(server.Output) is { Success: true } m ? m.Groups[1].Value : null;
            await Task.Delay(100);
        }

        Assert.NotNull(fingerprint);
        using (var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        using (var http = new HttpClient(handler) { BaseAddress = new Uri(endpoint) })
        {
            await server.WaitUntilHealthyAsync(http);
        }

        var environment = new Dictionary<string, string?> { ["CCFS_ENDPOINT"] = endpoint };
        var wav = SharedFiles.Audio("valid", "alaw-8k-sine.wav");
        var pinned = await Cli.RunAsync(environment, "upload", "--fingerprint", fingerprint, wav);
        var untrusted = await Cli.RunAsync(environment, "upload", wav);
        var wrongPin = await Cli.RunAsync(environment, "upload", "--fingerprint", new string('0', 64), wav);
        var insecure = await Cli.RunAsync(environment, "upload", "--insecure", wav);

        Assert.True(pinned.ExitCode == ExitCodes.Success, pinned.Error);
        Assert.StartsWith("Y:/3rdfile/1/", pinned.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unreachable, untrusted.ExitCode);
        Assert.True(untrusted.Error.Contains("--fingerprint", StringComparison.Ordinal), untrusted.Error);
        Assert.Equal(ExitCodes.Unreachable, wrongPin.ExitCode);
        Assert.Equal(ExitCodes.Success, insecure.ExitCode);
    }

    [GeneratedRegex("SHA-256 fingerprint ([0-9A-F:]{95})")]
    private static partial Regex Fingerprint();
}
