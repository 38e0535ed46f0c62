using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Ccfs.Audio;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;
using Ccfs.Tests;

namespace Ccfs.Server.Tests;

/// <summary>The worked example of docs/auth-v2.md and its script: the values it shows are the values the code computes.</summary>
public sealed partial class WorkedExampleTests
{
    private const string Timestamp = "2026-11-24T08:00:00Z";

    private static readonly string Readme = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "docs", "auth-v2.md"));

    /// <summary>Two samples of A-law silence, written as sox writes prompts.</summary>
    public static byte[] TinyWav() => WaveWriter.ALaw([0xD5, 0xD5]);

    [Fact]
    public void The_worked_example_file_is_an_acceptable_prompt_with_the_base64_shown()
    {
        Assert.True(WaveValidator.Validate(TinyWav()).IsValid);
        Assert.Contains(Convert.ToBase64String(TinyWav()), Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_worked_example_shows_what_the_signer_computes()
    {
        var body = SignedClient.UploadBody(TinyWav());
        var request = new RequestToSign
        {
            Method = "POST",
            Path = CcfsPaths.UploadFile,
            Query = [new("vdnId", "1")],
            Headers = [new("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("content-type", CcfsPaths.JsonContentType), new("host", "127.0.0.1:8443")],
        };
        var development = Auth.Account.Development;
        using var signing = AuthV2Signer.Begin(request, new(development.AccessKey, development.SecretKeys[0]), Timestamp);
        var canonical = CanonicalRequest.Build(signing.CanonicalHead, body);
        signing.AppendBody(body);

        Assert.Equal(canonical, Block("canonical"));
        Assert.Equal(signing.SigningKeyHex, InlineCode("signing-key"));
        Assert.Equal("Authorization: " + signing.Complete(), Block("authorization"));
        Assert.Contains($"The body, exactly as sent ({body.Length} bytes)", Readme, StringComparison.Ordinal);
        Assert.Contains(Encoding.UTF8.GetString(body), Readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_script_prints_the_same_values_in_a_dry_run()
    {
        var wav = Path.Combine(Path.GetTempPath(), $"tiny-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(wav, TinyWav());
        try
        {
            var (exitCode, output, _) = await RunScriptAsync(new() { ["CCFS_TIMESTAMP"] = Timestamp, ["CCFS_DRY_RUN"] = "1" }, "upload", wav, "1");

            Assert.Equal(0, exitCode);
            Assert.Contains(Block("canonical") + "\n--- signing key\n" + InlineCode("signing-key") + "\n", output, StringComparison.Ordinal);
            Assert.Contains(Block("authorization")["Authorization: ".Length..], output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(wav);
        }
    }

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

        var (uploadExit, uploaded, _) = await RunScriptAsync(endpoint, "upload", wav, "1");
        var fileName = Regex.Match(uploaded, "\"fileName\":\"(?<name>[^\"]+)\"").Groups["name"].Value;
        var (hashExit, hashed, _) = await RunScriptAsync(endpoint, "hash", fileName);
        var (downloadExit, _, bytes) = await RunScriptAsync(endpoint, "download", fileName);
        var (deleteExit, deleted, _) = await RunScriptAsync(endpoint, "delete", fileName);
        var (goneExit, gone, _) = await RunScriptAsync(endpoint, "hash", fileName);
        var (missingExit, missing, _) = await RunScriptAsync(endpoint, "download", fileName);
        var (refusedExit, refused, _) = await RunScriptAsync(new(endpoint) { ["CCFS_SECRET_KEY"] = "not-the-secret" }, "hash", fileName);

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

        var (exitCode, output, _) = await RunScriptAsync(new() { ["CCFS_ENDPOINT"] = $"https://127.0.0.1:{port}" }, "upload", wav, "1");

        Assert.Equal(1, exitCode);
        Assert.Contains("""{"resultCode":"0300003","resultDesc":"The length of data is too long.","resultData":""}""", output, StringComparison.Ordinal);
        Assert.Contains("ccfs: HTTP 200, resultCode 0300003: the request body is over the", output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dataDir, "locations"), "*.wav", SearchOption.AllDirectories));
        await server.KillAsync();
        Directory.Delete(dataDir, recursive: true);
    }

    /// <summary>Runs the script; the text is stderr then stdout, and the raw stdout bytes are returned too.</summary>
    private static async Task<(int ExitCode, string Output, byte[] Stdout)> RunScriptAsync(Dictionary<string, string> environment,
        params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(TestData.RepositoryRoot, "scripts", "signed-request.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        // Signing a body of megabytes with od and awk takes seconds on a busy machine; a script that hangs is failed.
        using (var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"signed-request.sh {string.Join(' ', arguments)} did not finish within 3 minutes");
            }
        }

        await copy;
        var bytes = stdout.ToArray();
        return (process.ExitCode, await stderr + Encoding.UTF8.GetString(bytes), bytes);
    }

    /// <summary>The fenced block after <c>&lt;!-- worked-example:NAME --&gt;</c>, without its indentation.</summary>
    private static string Block(string name)
    {
        var match = Regex.Match(Readme, $"<!-- worked-example:{name} -->\\s*```text\\n(?<body>.*?)\\n\\s*```", RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/auth-v2.md has no worked-example:{name} block");
        return string.Join('\n', match.Groups["body"].Value.Split('\n').Select(line => line.Trim()));
    }

    private static string InlineCode(string name)
    {
        var match = Regex.Match(Readme, $"<!-- worked-example:{name} -->`(?<code>[^`]+)`");
        Assert.True(match.Success, $"docs/auth-v2.md has no worked-example:{name} value");
        return match.Groups["code"].Value;
    }
}
