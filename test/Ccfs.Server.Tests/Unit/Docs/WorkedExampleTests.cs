using System.Text;
using System.Text.RegularExpressions;
using Ccfs.Audio;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;
using Ccfs.Server.Auth;
using Ccfs.Tests;

namespace Ccfs.Server.Tests.Unit.Docs;

/// <summary>The worked example of docs/auth-v2.md and its script: the values it shows are the values the code computes.</summary>
public sealed partial class WorkedExampleTests
{
    private const string Timestamp = "2026-11-24T08:00:00Z";

    private static readonly string Readme = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "docs", "auth-v2.md"));

    /// <summary>Two samples of A-law silence, written as sox writes prompts.</summary>
    public static byte[] TinyWav() => WaveWriter.ALaw([0xD5, 0xD5]);

    [Fact]
    public async Task A_server_that_dies_after_100_continue_leaves_the_script_with_curls_status_not_a_sed_error()
    {
        // It reads the request's head, says 100 Continue, and closes, as a server killed mid-upload does.
        var (port, server) = AnswerOnce(async stream =>
        {
            await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
            await Task.Delay(200);
        });

        var (exitCode, output, _) = await SignedRequestScript.RunAsync(new() { ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{port}" }, "upload",
            TestData.Audio("valid", "alaw-8k-sine.wav"), "1");
        await server;

        Assert.True(exitCode is 52 or 56, $"exit {exitCode}: {output}");
        Assert.DoesNotContain("sed:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_cut_off_mid_body_exits_with_curls_status_and_writes_nothing()
    {
        // It answers 200 with a file of 4000 bytes, sends 100 of them and closes, as a connection reset mid-download does.
        var (port, server) = AnswerOnce(async stream =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\nContent-Length: 4000\r\n\r\n"u8.ToArray());
            await stream.WriteAsync(new byte[100]);
            await Task.Delay(200);
        });

        var (exitCode, output, stdout) = await SignedRequestScript.RunAsync(new() { ["CCFS_ENDPOINT"] = $"http://127.0.0.1:{port}" },
            "download", "Y:/3rdfile/1/thirdvoicebotfile/a.wav");
        await server;

        Assert.True(exitCode is 18 or 56, $"exit {exitCode}: {output}");
        Assert.Empty(stdout);
        Assert.Contains("the download was cut off", output, StringComparison.Ordinal);
    }

    /// <summary>A server on a free port that takes one connection, reads the request's head, then answers as told and closes.</summary>
    private static (int Port, Task Server) AnswerOnce(Func<System.Net.Sockets.NetworkStream, Task> answer)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var head = new List<byte>();
                var one = new byte[1];
                while (head.Count < 65536 && await stream.ReadAsync(one) == 1)
                {
                    head.Add(one[0]);
                    if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
                    {
                        break;
                    }
                }

                await answer(stream);
            }
            finally
            {
                listener.Stop();
            }
        });
        return (port, server);
    }

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
        var development = Account.Development;
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
    public async Task The_java_sample_prints_the_worked_examples_header()
    {
        var (code, output) = await Process.JavaSampleProcessTests.JavaAsync([], "--check-example");

        Assert.Equal(0, code);
        Assert.Equal(
            "Authorization: auth-v2/ccfs-dev-ak/2026-11-24T08:00:00Z/content-length;content-type;host/ca8e24612f2558c02be448b6957ab34fe03a2786b67044b2d9282781f9b14692",
            output.Trim());
    }

    [Fact]
    public async Task The_python_signer_in_samples_readme_prints_the_worked_examples_header()
    {
        var samples = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "samples", "README.md"));
        var code = PythonBlock().Match(samples);
        Assert.True(code.Success, "samples/README.md has a python block");
        Assert.True(File.Exists("/usr/bin/python3"), "python3 is missing (.ci/run installs it)");
        var file = Path.Combine(Path.GetTempPath(), $"ccfs-signer-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(file, code.Groups["code"].Value);
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3", [file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var python = System.Diagnostics.Process.Start(start)!;
            var printed = await python.StandardOutput.ReadToEndAsync();
            await python.WaitForExitAsync();

            Assert.Equal(Block("authorization"), printed.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_script_prints_the_same_values_in_a_dry_run()
    {
        var wav = Path.Combine(Path.GetTempPath(), $"tiny-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(wav, TinyWav());
        try
        {
            var (exitCode, output, _) = await SignedRequestScript.RunAsync(new() { ["CCFS_TIMESTAMP"] = Timestamp, ["CCFS_DRY_RUN"] = "1" }, "upload", wav, "1");

            Assert.Equal(0, exitCode);
            Assert.Contains(Block("canonical") + "\n--- signing key\n" + InlineCode("signing-key") + "\n", output, StringComparison.Ordinal);
            Assert.Contains(Block("authorization")["Authorization: ".Length..], output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(wav);
        }
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

    [GeneratedRegex("```python\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PythonBlock();
}
