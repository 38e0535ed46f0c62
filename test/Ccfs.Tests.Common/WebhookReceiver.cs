using System.Collections.Concurrent;
using System.Text.Json;
using Ccfs.Protocol.Webhooks;

namespace Ccfs.Tests;

/// <summary>One request a <see cref="WebhookReceiver"/> got, with whether its signature verified and what it answered.</summary>
public sealed record ReceivedWebhook(string? Id, string? Timestamp, string? Signature, string? ContentType, byte[] Body, bool SignatureValid,
    int Answer)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Type => Json.GetProperty("type").GetString()!;

    public long Sequence => long.Parse(Json.GetProperty("sequence").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    public int VdnId => Json.GetProperty("data").GetProperty("vdnId").GetInt32();

    public string FileName => Json.GetProperty("data").GetProperty("fileName").GetString()!;
}

/// <summary>
/// A webhook receiver in the test process, on a free loopback port: it records every request, checks its Standard
/// Webhooks signature against <see cref="Secret"/> (once set), and answers what <see cref="Answer"/> says (200 by default).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string? Secret { get; set; }

    /// <summary>The status to answer a request with; it may also set headers (a redirect's Location).</summary>
    public Func<ReceivedWebhook, HttpResponse, int> Answer { get; set; } = (_, _) => 200;

    /// <summary>The clock signatures are checked against, with a tolerance of a day (tests move the server's clock).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Requests answered 2xx: deliveries.</summary>
    public IReadOnlyList<ReceivedWebhook> Delivered => [.. _received.Where(r => r.Answer is >= 200 and < 300)];

    public static async Task<WebhookReceiver> StartAsync(string path = "/hook")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapFallback(receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = new Uri(app.Urls.First().TrimEnd('/') + path);
        return receiver;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        var bytes = body.ToArray();
        var id = http.Request.Headers[WebhookSignature.IdHeader].ToString();
        var timestamp = http.Request.Headers[WebhookSignature.TimestampHeader].ToString();
        var signature = http.Request.Headers[WebhookSignature.SignatureHeader].ToString();
        var valid = Secret is not null && WebhookSignature.TryReadKey(Secret, out var key)
            && WebhookSignature.Verify(key, id, timestamp, signature, bytes, Time.GetUtcNow(), TimeSpan.FromDays(1)) == WebhookVerification.Valid;
        var received = new ReceivedWebhook(id, timestamp, signature, http.Request.ContentType, bytes, valid, 0);
        var status = Answer(received, http.Response);
        _received.Enqueue(received with { Answer = status });
        http.Response.StatusCode = status;
    }

    /// <summary>Waits (at most 30 s) until <paramref name="done"/> holds for what was received.</summary>
    public async Task WaitForAsync(Func<WebhookReceiver, bool> done, string what, Action? poke = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done(this))
        {
            Assert.True(DateTime.UtcNow < deadline, $"within 30 s the receiver did not get {what}; it got {_received.Count} requests");
            poke?.Invoke();
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
