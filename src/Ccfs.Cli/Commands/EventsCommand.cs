using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ccfs.Cli.Commands;

/// <summary>
/// <c>ccfs events listen</c>: a local webhook receiver that checks each delivery's Standard Webhooks signature and prints
/// the event, the integrator's loop; <c>ccfs events tail</c>: a VDN's events from the server's feed, optionally following it.
/// </summary>
internal static class EventsCommand
{
    public const string SecretVariable = "CCFS_WEBHOOK_SECRET";

    public static Command Create(ConnectionOptions connection, CliConsole console) =>
        new("events", "Receive or read ccfs's file events (docs/events.md)") { Listen(console), Tail(connection, console) };

    private static Command Listen(CliConsole console)
    {
        var port = new Option<int>("--port") { Description = "The port to listen on (127.0.0.1)", DefaultValueFactory = _ => 8099 };
        var secret = new Option<string>("--secret")
        {
            Description = $"The subscription's secret (whsec_…) to check signatures with [env {SecretVariable}]; without it nothing is checked",
        };
        var json = new Option<bool>("--json") { Description = "Print each event's JSON as received, one per line" };
        var count = new Option<int?>("--count") { Description = "Exit after this many events" };
        var command = new Command("listen", "Receive webhooks on 127.0.0.1, check their signatures and print the events; answer 204, or 401 to a bad signature")
        {
            port, secret, json, count,
        };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            byte[]? key = null;
            if ((parse.GetValue(secret) ?? console.Environment.GetValueOrDefault(SecretVariable)) is { } text && !WebhookSignature.TryReadKey(text, out key))
            {
                throw new UsageException("the secret is not a whsec_ secret (the Base64 of at least 16 bytes after whsec_)");
            }

            var limit = parse.GetValue(count);
            var received = 0;
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{parse.GetValue(port)}");
            builder.Logging.ClearProviders();
            await using var app = builder.Build();
            var printing = new SemaphoreSlim(1, 1);
            app.MapFallback(async http =>
            {
                var body = await ReadBodyAsync(http.Request, http.RequestAborted);
                var verdict = key is null ? null : (WebhookVerification?)WebhookSignature.Verify(key, Header(http, WebhookSignature.IdHeader),
                    Header(http, WebhookSignature.TimestampHeader), Header(http, WebhookSignature.SignatureHeader), body, DateTimeOffset.UtcNow,
                    WebhookSignature.DefaultTolerance);
                await printing.WaitAsync(CancellationToken.None);
                try
                {
                    if (verdict is { } v && v != WebhookVerification.Valid)
                    {
                        await console.Error.WriteLineAsync($"refused a delivery ({Header(http, WebhookSignature.IdHeader) ?? "no webhook-id"}): "
                            + $"signature {Describe(v)}");
                        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return;
                    }

                    await console.Out.WriteLineAsync(parse.GetValue(json)
                        ? System.Text.Encoding.UTF8.GetString(body)
                        : Line(body, verdict is null ? "signature not checked" : "signature valid"));
                    http.Response.StatusCode = StatusCodes.Status204NoContent;
                    if (++received == limit)
                    {
                        await done.CancelAsync();
                    }
                }
                finally
                {
                    printing.Release();
                }
            });
            await app.StartAsync(cancellation);
            var url = app.Urls.First();
            await console.Error.WriteLineAsync($"listening on {url}/ (Ctrl-C stops); subscribe it with: ccfs admin POST /admin/api/subscriptions "
                + $"--data '{{\"url\": \"{url}/\"}}'" + (key is null ? $" and pass its secret with --secret or {SecretVariable}" : ""));
            try
            {
                await Task.Delay(Timeout.Infinite, done.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await app.StopAsync(CancellationToken.None);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Tail(ConnectionOptions connection, CliConsole console)
    {
        var after = new Option<long>("--after") { Description = "Start after this sequence number (0: from the oldest kept)", DefaultValueFactory = _ => 0 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep polling for new events every second (Ctrl-C stops)" };
        var json = new Option<bool>("--json") { Description = "Print each event's JSON, one per line" };
        var command = new Command("tail", "Print a VDN's events (--vdn) in sequence order from the server's feed; needs an admin account")
        {
            after, follow, json,
        };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var settings = connection.Resolve(parse, console);
            var client = settings.CreateClient();
            var position = parse.GetValue(after);
            while (true)
            {
                var path = $"/admin/api/events?vdnId={settings.Vdn.ToString(CultureInfo.InvariantCulture)}&after={position.ToString(CultureInfo.InvariantCulture)}&limit=1000";
                using var response = await client.SendSignedAsync(HttpMethod.Get, path, null, cancellationToken: cancellation);
                var text = await response.Content.ReadAsStringAsync(cancellation);
                if (!response.IsSuccessStatusCode)
                {
                    return await AdminCommand.ExitCodeAsync(console, new AdminCommand.AdminAnswer((int)response.StatusCode, text,
                        response.Headers.TryGetValues("X-Ccfs-Reason", out var reason) ? string.Join(' ', reason) : null));
                }

                using var page = JsonDocument.Parse(text);
                var events = page.RootElement.GetProperty("events");
                foreach (var e in events.EnumerateArray())
                {
                    await console.Out.WriteLineAsync(parse.GetValue(json) ? e.GetRawText() : Line(e, null));
                }

                position = page.RootElement.GetProperty("next").GetInt64();
                if (events.GetArrayLength() == 0)
                {
                    if (!parse.GetValue(follow))
                    {
                        return ExitCodes.Success;
                    }

                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
                    }
                    catch (OperationCanceledException)
                    {
                        return ExitCodes.Success;
                    }
                }
            }
        }));
        return command;
    }

    /// <summary>One event as a line: sequence, VDN, type, what it is about (the file; for a quota warning, the level), id.</summary>
    private static string Line(byte[] body, string note)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return Line(document.RootElement, note);
        }
        catch (JsonException)
        {
            return $"(not JSON, {body.Length} bytes; {note})";
        }
    }

    private static string Line(JsonElement e, string? note)
    {
        string Text(string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) ? value.ToString() : "?";
        var vdn = Text("source").Split('/')[^1];
        var about = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("subject", out var subject) ? subject.ToString()
            : e.ValueKind == JsonValueKind.Object && e.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
              && data.TryGetProperty("percent", out var percent) ? $"{percent}% of its quota" : "-";
        return TerminalText.Escape($"#{Text("sequence")}\tVDN {vdn}\t{Text("type")}\t{about}\tid {Text("id")}" + (note is null ? "" : $"\t({note})"));
    }

    private static string? Header(HttpContext http, string name) => http.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    private static string Describe(WebhookVerification verdict) => verdict switch
    {
        WebhookVerification.MissingHeaders => "headers missing (webhook-id, webhook-timestamp, webhook-signature)",
        WebhookVerification.BadTimestamp => "timestamp is not a number",
        WebhookVerification.OutsideTolerance => "timestamp more than 5 minutes from this clock",
        _ => "does not match (another secret, or a changed body)",
    };
}
