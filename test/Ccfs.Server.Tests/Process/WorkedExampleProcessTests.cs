using System.Text.RegularExpressions;

namespace Ccfs.Server.Tests.Process;

/// <summary>
/// The script of docs/auth-v2.md against a running server process, as a reader runs it: all four interfaces, the
/// refusals it reports, and the default HTTPS listener.
/// </summary>
public sealed class WorkedExampleProcessTests
{
    [Fact]
    public async Task The_script_drives_all_four_interfaces_against_a_running_server()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ccfs-readme", Guid.NewGuid().ToString("N"));
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = dataDir },
            "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await server.WaitUntilHealthyAsync(http);
        var endpoint = new Dictionary<string, string> { ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{port}" };
        var wav = TestData.Audio("valid", "alaw-8k-sine.wav");

        var (uploadExit, uploaded, _) = await SignedRequestScript.RunAsync(endpoint, "upload", wav, "1");
        var fileName = Regex.Match(uploaded, "\"fileName\":\"(?<name>[^\"]+)\"").Groups["name"].Value;
        var (hashExit, hashed, _) = await SignedRequestScript.RunAsync(endpoint, "hash", fileName);
        var (downloadExit, _, bytes) = await SignedRequestScript.RunAsync(endpoint, "download", fileName);
        var (deleteExit, deleted, _) = await SignedRequestScript.RunAsync(endpoint, "delete", fileName);
        var (goneExit, gone, _) = await SignedRequestScript.RunAsync(endpoint, "hash", fileName);
        var (missingExit, missing, _) = await SignedRequestScript.RunAsync(endpoint, "download", fileName);
        var (refusedExit, refused, _) = await SignedRequestScript.RunAsync(new(endpoint) { ["CCFS_SECRET_KEY"] = "not-the-secret" },
            "hash", fileName);

        Assert.Equal((0, 0, 0, 0, 1, 1, 1), (uploadExit, hashExit, downloadExit, deleteExit, goneExit, missingExit, refusedExit));
        Assert.Matches("^Y:/3rdfile/1/thirdvoicebotfile/[A-Za-z0-9]{8}_[0-9]{13}\\.wav$", fileName);
        Assert.Contains($"\"hash\":\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(wav)))}\"",
            hashed, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(wav), bytes);
        Assert.Equal("{\"resultCode\":\"0\",\"resultDesc\":\"success\",\"resultData\":\"\"}\n", deleted);
        Assert.Contains("\"resultCode\":\"0300011\"", gone, StringComparison.Ordinal);
        Assert.Contains("\"resultCode\":\"0300011\"", missing, StringComparison.Ordinal);
        Assert.Contains("ccfs: HTTP 200, resultCode 0300011", gone, StringComparison.Ordinal);
        Assert.Contains("ccfs: HTTP 401: the signature does not match", refused, StringComparison.Ordinal);
        Directory.Delete(dataDir, recursive: true);
    }

    [Fact]
    public async Task Over_the_default_https_an_oversized_upload_is_answered_at_once_and_the_script_exits_1()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ccfs-readme", Guid.NewGuid().ToString("N"));
        var port = ServerProcess.FreePort();
        await using var server = ServerProcess.Start(new Dictionary<string, string> { ["Ccfs__DataDir"] = dataDir },
            "--urls", $"https://127.0.0.1:{port}");
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
        await server.WaitUntilHealthyAsync(http);
        var wav = Path.Combine(dataDir, "oversized.wav");
        await File.WriteAllBytesAsync(wav, Samples.ALawOfSize(6_400_000));

        var (exitCode, output, _) = await SignedRequestScript.RunAsync(new() { ["CCFS_ENDPOINT"] = $"https://127.0.0.1:{port}" }, "upload", wav, "1");

        Assert.Equal(1, exitCode);
        Assert.Contains("""{"resultCode":"0300003","resultDesc":"The length of data is too long.","resultData":""}""", output, StringComparison.Ordinal);
        Assert.Contains("ccfs: HTTP 200, resultCode 0300003: the request body is over the", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dataDir, "locations"), "*.wav", SearchOption.AllDirectories));
        await server.KillAsync();
        Directory.Delete(dataDir, recursive: true);
    }
}
