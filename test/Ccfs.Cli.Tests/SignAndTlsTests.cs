using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ccfs.Client;
using Ccfs.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Ccfs.Cli.Tests;

public sealed partial class SignAndTlsTests
{
    [Fact]
    public async Task Sign_reproduces_huaweis_vector_v7()
    {
        var vectors = JsonDocument.Parse(await File.ReadAllTextAsync(TestData.AuthV2Vectors)).RootElement;
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
    public async Task One_header_replaces_its_default_and_keeps_the_others_signed()
    {
        var (code, output, _) = await Cli.RunAsync(new Dictionary<string, string?>(), "sign", "--endpoint", "https://127.0.0.1:8443",
            "--header", "content-type=application/json;charset=UTF-8", "--body", "{}", "--timestamp", "2026-11-24T08:00:00Z");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("content-length;content-type;host", output, StringComparison.Ordinal);
        Assert.Contains("content-type:application%2Fjson%3Bcharset%3DUTF-8", output, StringComparison.Ordinal);
        Assert.DoesNotContain("json%3B%20charset", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_prints_the_authorization_the_sdk_sends_for_the_same_request()
    {
        var endpoint = "https://10.22.26.181:28080";
        var recorder = new RecordingEndpoint();
        var client = new CcfsClient(new HttpClient(recorder) { BaseAddress = new Uri(endpoint) }, new CcfsClientOptions
        {
            AccessKey = "globalaktest",
            SecretKey = "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
            TimeProvider = new FakeTimeProvider(new DateTimeOffset(2021, 8, 31, 9, 38, 50, 872, TimeSpan.Zero)),
        });
        await client.DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/8fSsBaEb_1631869974029.wav");
        var delete = recorder.Last!;
        await client.UploadAsync(new MemoryStream(Samples.Sine), 53);
        var upload = recorder.Last!;
        var uploadBody = Path.GetTempFileName();
        await File.WriteAllBytesAsync(uploadBody, upload.Body);

        var signedDelete = await Cli.RunAsync(new Dictionary<string, string?>(), "sign", "--endpoint", endpoint,
            "--access-key", "globalaktest", "--secret-key", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "--path", CcfsPaths.DeleteFile,
            "--body", Encoding.UTF8.GetString(delete.Body), "--timestamp", "2021-08-31T09:38:50.872Z");
        var signedUpload = await Cli.RunAsync(new Dictionary<string, string?>(), "sign", "--endpoint", endpoint,
            "--access-key", "globalaktest", "--secret-key", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "--path", CcfsPaths.UploadFile,
            "--query", "vdnId=53", "--body-file", uploadBody, "--timestamp", "2021-08-31T09:38:50.872Z");
        File.Delete(uploadBody);

        Assert.Equal([CcfsClient.RequestContentType, CcfsClient.RequestContentType], new[] { delete.ContentType, upload.ContentType });
        Assert.Contains("Authorization: " + delete.Authorization + "\n", signedDelete.Out, StringComparison.Ordinal);
        Assert.Contains("Authorization: " + upload.Authorization + "\n", signedUpload.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_https_the_printed_fingerprint_is_trusted_and_nothing_else_is()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "ccfs-cli-tls", Guid.NewGuid().ToString("N"));
        var endpoint = $"https://127.0.0.1:{ServerProcess.FreePort()}";
        // The server's own home receives its development certificate; the client's has none, so only pins count.
        var home = Directory.CreateTempSubdirectory("ccfs-cli-home").FullName;
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

        var environment = new Dictionary<string, string?> { ["CCFS_ENDPOINT"] = endpoint, ["HOME"] = home };
        var wav = TestData.Audio("valid", "alaw-8k-sine.wav");
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
        Directory.Delete(home, recursive: true);
    }

    /// <summary>Keeps what each request carried on the wire and answers a CC-FS success.</summary>
    private sealed class RecordingEndpoint : HttpMessageHandler
    {
        public Sent? Last { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Last = new Sent(request.Headers.NonValidated["Authorization"].ToString(), request.Content!.Headers.NonValidated["Content-Type"].ToString(),
                await request.Content.ReadAsByteArrayAsync(cancellationToken));
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav"}}"""),
            };
        }
    }

    private sealed record Sent(string Authorization, string ContentType, byte[] Body);

    [GeneratedRegex("SHA-256 fingerprint ([0-9A-F:]{95})")]
    private static partial Regex Fingerprint();
}
