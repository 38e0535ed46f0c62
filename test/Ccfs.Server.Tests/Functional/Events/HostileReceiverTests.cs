using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

using static Ccfs.Server.Tests.Functional.Events.EventsAdmin;

namespace Ccfs.Server.Tests.Functional.Events;

/// <summary>
/// Receivers that answer badly on purpose (docs/events.md): a 2xx whose body never comes is a delivery; an error
/// answer dripped slower than <c>Ccfs:Events:Timeout</c> is given up on and retried; a status HTTP does not define
/// goes to the dead letter; a redelivery answered 410 disables the subscription; and one receiver that holds its
/// redeliveries does not hold up another subscription's.
/// </summary>
public sealed class HostileReceiverTests : IAsyncLifetime
{
    private const string Subscriptions = "/admin/api/subscriptions";
    private CcfsFactory _factory = CcfsFactory.With(new() { ["Ccfs:Events:Timeout"] = "00:00:02" });
    private readonly CancellationTokenSource _stop = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _factory.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task A_receiver_that_answers_200_and_never_sends_its_body_has_the_event_delivered()
    {
        var receiver = RawReceiver.Start(async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab"u8.ToArray(), ct);
            await Task.Delay(Timeout.Infinite, ct);
        }, _stop.Token);
        var id = await SubscribeAsync(receiver.Url);

        await _factory.Signed().StoreAsync(Samples.Sine);

        var attempt = await AttemptAsync(id, a => true);
        Assert.Equal("delivered", attempt.GetProperty("outcome").GetString());
        Assert.Equal(200, attempt.GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task An_error_answer_dripped_slower_than_the_timeout_is_given_up_on_and_retried()
    {
        var receiver = RawReceiver.Start(async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 100000\r\n\r\n"u8.ToArray(), ct);
            for (var i = 0; i < 10_000; i++)
            {
                await stream.WriteAsync("x"u8.ToArray(), ct);
                await Task.Delay(250, ct);
            }
        }, _stop.Token);
        var id = await SubscribeAsync(receiver.Url);

        await _factory.Signed().StoreAsync(Samples.Sine);

        var attempt = await AttemptAsync(id, a => true);
        Assert.Equal("retry", attempt.GetProperty("outcome").GetString());
        Assert.Equal(500, attempt.GetProperty("statusCode").GetInt32());
        Assert.Contains("(the rest of the answer did not arrive)", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_status_http_does_not_define_goes_to_the_dead_letter()
    {
        var receiver = RawReceiver.Start((_, stream, ct) =>
            stream.WriteAsync("HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), ct).AsTask(), _stop.Token);
        var id = await SubscribeAsync(receiver.Url);

        await _factory.Signed().StoreAsync(Samples.Sine);

        var attempt = await AttemptAsync(id, a => true);
        Assert.Equal("dead-letter", attempt.GetProperty("outcome").GetString());
        Assert.Contains("HTTP 600 is not a final status HTTP defines", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redelivery_answered_410_disables_the_subscription()
    {
        var receiver = RawReceiver.Start((request, stream, ct) =>
            stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {(request == 0 ? 400 : 410)} No\r\nContent-Length: 0\r\n\r\n"), ct).AsTask(),
            _stop.Token);
        var id = await SubscribeAsync(receiver.Url);
        await _factory.Signed().StoreAsync(Samples.Sine);
        var eventId = (await DeadLetterAsync(id)).GetProperty("eventId").GetString()!;

        await RedeliverAsync(id, eventId);

        await WaitUntilAsync(async () => !(await GetJsonAsync($"{Subscriptions}/{id}")).GetProperty("enabled").GetBoolean(),
            "the subscription disabled", advance: true);
        Assert.Contains("410", (await GetJsonAsync($"{Subscriptions}/{id}")).GetProperty("disabledReason").GetString(), StringComparison.Ordinal);
        Assert.Contains(_factory.Logs, l => l.Message.Contains("answered 410 Gone to a redelivery", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_receiver_holding_its_redelivery_does_not_hold_up_another_subscriptions()
    {
        // An answer may take a minute here: longer than this test waits for the other subscription's redelivery.
        _factory.Dispose();
        _factory = CcfsFactory.With(new() { ["Ccfs:Events:Timeout"] = "00:01:00" });

        // Both refuse the event at first; then one holds every redelivery past this test, and the other takes it.
        var held = RawReceiver.Start(async (request, stream, ct) =>
        {
            if (request == 0)
            {
                await stream.WriteAsync("HTTP/1.1 400 No\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), ct);
                return;
            }

            await Task.Delay(Timeout.Infinite, ct);
        }, _stop.Token);
        await using var taking = await WebhookReceiver.StartAsync();
        taking.Time = _factory.Time;
        var refuse = true;
        taking.Answer = (_, _) => refuse ? 400 : 204;
        var heldId = await SubscribeAsync(held.Url);
        var takingId = await SubscribeAsync(taking.Url, taking);
        await _factory.Signed().StoreAsync(Samples.Sine);
        var heldEvent = (await DeadLetterAsync(heldId)).GetProperty("eventId").GetString()!;
        var takingEvent = (await DeadLetterAsync(takingId)).GetProperty("eventId").GetString()!;
        refuse = false;

        await RedeliverAsync(heldId, heldEvent);
        await WaitUntilAsync(() => Task.FromResult(held.Requests >= 2), "the held redelivery under way", advance: true);
        await RedeliverAsync(takingId, takingEvent);

        await taking.WaitForAsync(r => r.Delivered.Count == 1, "the other subscription's redelivery", () => _factory.Time.Advance(TimeSpan.FromSeconds(1)));
    }

    private Task<string> SubscribeAsync(Uri url, WebhookReceiver? receiver = null) => _factory.SubscribeAsync(new { url = url.ToString() }, receiver);

    private async Task RedeliverAsync(string id, string eventId)
    {
        using var response = await _factory.Admin().AdminAsync(HttpMethod.Post, $"{Subscriptions}/{id}/redeliver", new { eventIds = new[] { eventId } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<JsonElement> DeadLetterAsync(string id)
    {
        JsonElement letter = default;
        await WaitUntilAsync(async () =>
        {
            var events = (await GetJsonAsync($"{Subscriptions}/{id}/dead-letter")).GetProperty("events");
            letter = events.GetArrayLength() > 0 ? events[0].Clone() : default;
            return events.GetArrayLength() > 0;
        }, "an event in the dead letter");
        return letter;
    }

    /// <summary>The newest delivery attempt of the subscription that matches, once there is one (bounded).</summary>
    private async Task<JsonElement> AttemptAsync(string id, Func<JsonElement, bool> match)
    {
        JsonElement found = default;
        await WaitUntilAsync(async () =>
        {
            var attempts = (await GetJsonAsync($"{Subscriptions}/{id}/deliveries")).GetProperty("deliveries").EnumerateArray().Where(match).ToList();
            found = attempts.Count > 0 ? attempts[0].Clone() : default;
            return attempts.Count > 0;
        }, "a delivery attempt");
        return found;
    }

    private Task<JsonElement> GetJsonAsync(string path) => _factory.GetJsonAsync(path);

    /// <summary>Waits (at most 30 s) for <paramref name="done"/>; <paramref name="advance"/> moves the server's clock, so polls and retries come.</summary>
    private Task WaitUntilAsync(Func<Task<bool>> done, string what, bool advance = false) =>
        EventsAdmin.WaitUntilAsync(done, what, advance ? () => _factory.Time.Advance(TimeSpan.FromSeconds(1)) : null);

    /// <summary>
    /// A receiver on a raw socket, for answers no web framework would give: it reads each request (headers and a body of
    /// its Content-Length) and lets the test write whatever it likes back, request by request, counted from 0.
    /// </summary>
    private sealed class RawReceiver
    {
        private int _requests;

        private RawReceiver(Uri url) => Url = url;

        public Uri Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public static RawReceiver Start(Func<int, NetworkStream, CancellationToken, Task> answer, CancellationToken stop)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var receiver = new RawReceiver(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hook"));
            _ = Task.Run(async () =>
            {
                using var registration = stop.Register(listener.Stop);
                while (!stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await listener.AcceptTcpClientAsync(stop);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }

                    _ = Task.Run(() => receiver.ServeAsync(client, answer, stop), CancellationToken.None);
                }
            }, CancellationToken.None);
            return receiver;
        }

        private async Task ServeAsync(TcpClient client, Func<int, NetworkStream, CancellationToken, Task> answer, CancellationToken stop)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    while (!stop.IsCancellationRequested && await ReadRequestAsync(stream, stop))
                    {
                        await answer(Interlocked.Increment(ref _requests) - 1, stream, stop);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
                {
                }
            }
        }

        private static async Task<bool> ReadRequestAsync(NetworkStream stream, CancellationToken stop)
        {
            var head = new List<byte>();
            var one = new byte[1];
            while (head.Count < 64 * 1024)
            {
                if (await stream.ReadAsync(one, stop) == 0)
                {
                    return false;
                }

                head.Add(one[0]);
                if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
                {
                    var text = Encoding.ASCII.GetString([.. head]);
                    var line = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                    var length = line is null ? 0 : int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    var body = new byte[length];
                    await stream.ReadExactlyAsync(body, stop);
                    return true;
                }
            }

            return false;
        }
    }
}
