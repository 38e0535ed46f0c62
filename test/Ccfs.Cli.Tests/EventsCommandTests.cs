using System.Net;
using System.Text;
using System.Text.Json;
using Ccfs.Protocol.Webhooks;

namespace Ccfs.Cli.Tests;

/// <summary><c>ccfs events listen</c> receives and checks a server's deliveries; <c>ccfs events tail</c> reads the feed.</summary>
public sealed class EventsCommandTests(RunningServer server) : IClassFixture<RunningServer>
{
    [Fact]
    public async Task Listen_prints_the_events_a_subscription_delivers_and_tail_reads_them_from_the_feed()
    {
        var port = ServerProcess.FreePort();
        var created = await Cli.RunAsync(server.AdminEnvironment(), "admin", "POST", "/admin/api/subscriptions", "--data",
            $$"""{"url": "http://127.0.0.1:{{port}}/", "vdnIds": [55]}""");
        Assert.Equal(ExitCodes.Success, created.ExitCode);
        var secret = JsonDocument.Parse(created.Out).RootElement.GetProperty("secret").GetString()!;

        var listening = Cli.RunAsync(server.Environment(), "events", "listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--secret", secret, "--count", "1");
        var upload = await Cli.RunAsync(new Dictionary<string, string?>(server.Environment()) { ["CCFS_VDN"] = "55" }, "upload",
            TestData.Audio("valid", "alaw-8k-sine.wav"));
        var name = upload.Out.Trim();
        var listened = await listening.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ExitCodes.Success, listened.ExitCode);
        Assert.Matches($"^#1\tVDN 55\tccfs.file.stored\t{System.Text.RegularExpressions.Regex.Escape(name)}\tid [0-9a-f-]+\t\\(signature valid\\)$",
            listened.Out.Trim());
        Assert.Contains($"listening on http://127.0.0.1:{port}", listened.Error, StringComparison.Ordinal);

        var tail = await Cli.RunAsync(new Dictionary<string, string?>(server.AdminEnvironment()) { ["CCFS_VDN"] = "55" }, "events", "tail");
        Assert.Equal(ExitCodes.Success, tail.ExitCode);
        Assert.StartsWith($"#1\tVDN 55\tccfs.file.stored\t{name}\tid ", tail.Out, StringComparison.Ordinal);
        var json = await Cli.RunAsync(new Dictionary<string, string?>(server.AdminEnvironment()) { ["CCFS_VDN"] = "55" }, "events", "tail", "--json");
        Assert.Equal(name, JsonDocument.Parse(json.Out.Trim()).RootElement.GetProperty("data").GetProperty("fileName").GetString());
        var stranger = await Cli.RunAsync(server.Environment(), "events", "tail");
        Assert.Equal(ExitCodes.AuthenticationRefused, stranger.ExitCode);
    }

    [Fact]
    public async Task Tail_refused_by_the_server_shows_its_message_not_its_json()
    {
        var (code, _, error) = await Cli.RunAsync(server.AdminEnvironment(), "events", "tail", "--vdn", "0");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("ccfs: HTTP 400: vdnId is not a VDN number", error, StringComparison.Ordinal);
        Assert.DoesNotContain("{", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listen_refuses_a_delivery_whose_signature_does_not_match_with_401()
    {
        var port = ServerProcess.FreePort();
        var secret = WebhookSignature.NewSecret();
        var listening = Cli.RunAsync(server.Environment(), "events", "listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--secret", secret, "--count", "1");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var body = Encoding.UTF8.GetBytes("""{"specversion":"1.0","id":"e1","source":"/ccfs/vdns/53","type":"ccfs.file.stored","subject":"Y:/a.wav","sequence":"7"}""");

        var forged = await SendAsync(http, body, WebhookSignature.NewSecret());
        var signed = await SendAsync(http, body, secret);
        var listened = await listening.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.NoContent), (forged, signed));
        Assert.Contains("refused a delivery (e1): signature does not match", listened.Error, StringComparison.Ordinal);
        Assert.Equal("#7\tVDN 53\tccfs.file.stored\tY:/a.wav\tid e1\t(signature valid)", listened.Out.Trim());
        Assert.Equal(ExitCodes.Usage, (await Cli.RunAsync(server.Environment(), "events", "listen", "--secret", "whsec_%%")).ExitCode);
    }

    [Fact]
    public async Task Listen_shows_a_quota_warning_by_its_level_since_it_names_no_file()
    {
        var port = ServerProcess.FreePort();
        var secret = WebhookSignature.NewSecret();
        var listening = Cli.RunAsync(server.Environment(), "events", "listen", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--secret", secret, "--count", "1");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var body = Encoding.UTF8.GetBytes("""
            {"specversion":"1.0","id":"e2","source":"/ccfs/vdns/53","type":"ccfs.quota.warning","sequence":"3",
             "data":{"vdnId":53,"percent":80,"files":16,"bytes":128928,"quotaFiles":20}}
            """);

        Assert.Equal(HttpStatusCode.NoContent, await SendAsync(http, body, secret));
        var listened = await listening.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("#3\tVDN 53\tccfs.quota.warning\t80% of its quota\tid e2\t(signature valid)", listened.Out.Trim());
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, byte[] body, string secret)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(body) };
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                WebhookSignature.TryReadKey(secret, out var key);
                request.Headers.Add(WebhookSignature.IdHeader, "e1");
                request.Headers.Add(WebhookSignature.TimestampHeader, now.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(key, "e1", now, body));
                using var response = await http.SendAsync(request);
                return response.StatusCode;
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                // The listener is still starting.
                await Task.Delay(100);
            }
        }
    }
}
