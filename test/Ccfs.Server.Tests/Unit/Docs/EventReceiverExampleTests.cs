using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Ccfs.Protocol.Webhooks;

namespace Ccfs.Server.Tests.Unit.Docs;

/// <summary>
/// The Python receiver of docs/events.md runs as written: it accepts a delivery signed as ccfs signs it, prints the event
/// once when it comes twice, and refuses a forged signature. Skipped (passes with a note) where python3 is missing.
/// </summary>
public sealed partial class EventReceiverExampleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task The_python_receiver_in_events_md_verifies_signatures_and_drops_duplicates()
    {
        var document = File.ReadAllText(Path.Combine(TestData.RepositoryRoot, "docs", "events.md"));
        var script = PythonExample().Match(document);
        Assert.True(script.Success, "docs/events.md has a receiver.py block");
        if (!File.Exists("/usr/bin/python3"))
        {
            output.WriteLine("python3 is not installed: the example was not run");
            return;
        }

        var file = Path.Combine(Path.GetTempPath(), $"ccfs-receiver-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(file, script.Groups["code"].Value);
        var secret = WebhookSignature.NewSecret();
        var port = ServerProcess.FreePort();
        var start = new ProcessStartInfo("/usr/bin/python3", [file]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["CCFS_WEBHOOK_SECRET"] = secret;
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var python = System.Diagnostics.Process.Start(start)!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var body = Encoding.UTF8.GetBytes("""{"specversion":"1.0","id":"e-1","source":"/ccfs/vdns/53","type":"ccfs.file.stored","subject":"Y:/a.wav","sequence":"7"}""");

            var first = await SendAsync(http, body, secret, "e-1");
            var again = await SendAsync(http, body, secret, "e-1");
            var forged = await SendAsync(http, body, WebhookSignature.NewSecret(), "e-1");

            Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.Unauthorized), (first, again, forged));
            python.Kill();
            await python.WaitForExitAsync();
            var printed = await python.StandardOutput.ReadToEndAsync();
            Assert.Equal("/ccfs/vdns/53 #7 ccfs.file.stored Y:/a.wav", printed.Trim());
        }
        finally
        {
            if (!python.HasExited)
            {
                python.Kill();
            }

            File.Delete(file);
        }
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, byte[] body, string secret, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                WebhookSignature.TryReadKey(secret, out var key);
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, "/ccfs-events") { Content = new ByteArrayContent(body) };
                request.Headers.Add(WebhookSignature.IdHeader, id);
                request.Headers.Add(WebhookSignature.TimestampHeader, now.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(key, id, now, body));
                using var response = await http.SendAsync(request);
                return response.StatusCode;
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    [GeneratedRegex("<!-- receiver.py:[^>]*-->\\s*```python\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PythonExample();
}
