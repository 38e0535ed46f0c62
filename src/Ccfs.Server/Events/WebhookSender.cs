using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Ccfs.Protocol;
using Ccfs.Protocol.Webhooks;

namespace Ccfs.Server.Events;

/// <summary>What became of one delivery attempt.</summary>
public enum DeliveryVerdict
{
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>A timeout, a failed connection, 408, 429 or 5xx: try again later.</summary>
    Retry,

    /// <summary>Another answer (a 4xx, a redirect) or a refused destination: trying again would not help.</summary>
    DeadLetter,

    /// <summary>410 Gone: the receiver asks for no more events, so the subscription is disabled.</summary>
    Gone,

    /// <summary>
    /// Not sent: a subscription changed after its settings were read, before the request went to the connection (its
    /// <see cref="SendGate"/> refused it). The delivery reads its subscription again; nothing is recorded.
    /// </summary>
    NotSent,
}

/// <param name="Error">What went wrong, for the deliveries list: the failure, or the start of the answer's body.</param>
public sealed record DeliveryResult(DeliveryVerdict Verdict, int? StatusCode, string? Error, long DurationMs);

/// <summary>
/// Sends one signed delivery. The connection is made here, not by the default resolver: the name is resolved and each
/// address checked by the <see cref="DestinationPolicy"/> at every connect, so a name that starts resolving to a
/// private address (DNS rebinding) is refused then too. Redirects are not followed. An attempt has one deadline:
/// <c>Ccfs:Events:ConnectTimeout</c> to connect, then <c>…:Timeout</c> from the connection (or from the send, on a
/// connection already open) for the whole answer, its body included, however slowly the receiver drips it. A 2xx is
/// a delivery as soon as its status arrives; of any other answer at most <see cref="ErrorTextLength"/> bytes are read.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private const int ErrorTextLength = 300;

    private static readonly HttpRequestOptionsKey<CancellationTokenSource> Deadline = new("ccfs.webhook-deadline");

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _timeout;

    public WebhookSender(EventOptions options, DestinationPolicy policy, TimeProvider time)
    {
        _time = time;
        _connectTimeout = options.ConnectTimeout;
        _timeout = options.Timeout;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxResponseHeadersLength = 64,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, context, cancellationToken),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ccfs", CcfsVersion.Version));
    }

    /// <summary>
    /// For tests: runs as a connection to a receiver begins, before its name is resolved; a connect that takes its
    /// time (up to <c>Ccfs:Events:ConnectTimeout</c>) can be made to, at a moment a test chooses.
    /// </summary>
    internal Func<CancellationToken, Task>? Connecting { get; set; }

    /// <param name="gate">
    /// When given, the request goes to the connection only if the gate lets it, as its body is written: a change to the
    /// subscription counted before that moment (during the connect, say) makes the attempt <see cref="DeliveryVerdict.NotSent"/>.
    /// </param>
    public async Task<DeliveryResult> SendAsync(Uri url, string eventId, ReadOnlyMemory<byte> body, SigningKeys keys, CancellationToken cancellationToken,
        SendGate? gate = null)
    {
        var now = _time.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new GatedContent(body, gate) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CloudEventFormat.ContentType.ToString());
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, eventId);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, keys.Sign(eventId, timestamp, body.Span, now));
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Connecting moves the deadline (ConnectAsync); a connection already open leaves Timeout for the answer.
        deadline.CancelAfter(_timeout);
        request.Options.Set(Deadline, deadline);
        long Elapsed() => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return new(DeliveryVerdict.Delivered, status, null, Elapsed());
            }

            var answer = await ReadAnswerAsync(response, deadline.Token, cancellationToken);
            return status switch
            {
                410 => new(DeliveryVerdict.Gone, status, Describe(status, answer), Elapsed()),
                408 or 429 or (>= 500 and < 600) => new(DeliveryVerdict.Retry, status, Describe(status, answer), Elapsed()),
                >= 300 and < 400 => new(DeliveryVerdict.DeadLetter, status,
                    $"the receiver redirected to {response.Headers.Location?.ToString() ?? "nowhere"}; redirects are not followed", Elapsed()),
                >= 400 and < 500 => new(DeliveryVerdict.DeadLetter, status, Describe(status, answer), Elapsed()),
                _ => new(DeliveryVerdict.DeadLetter, status, $"HTTP {status} is not a final status HTTP defines", Elapsed()),
            };
        }
        catch (Exception e) when (Find<GateClosedException>(e) is not null && !cancellationToken.IsCancellationRequested)
        {
            return new(DeliveryVerdict.NotSent, null, "the subscription changed before the request was sent", Elapsed());
        }
        catch (HttpRequestException e) when (Find<DestinationRefusedException>(e) is { } refused)
        {
            return new(DeliveryVerdict.DeadLetter, null, refused.Message, Elapsed());
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = e is OperationCanceledException ? "the receiver did not answer in time" : Trim(e.InnerException?.Message ?? e.Message);
            return new(DeliveryVerdict.Retry, null, reason, Elapsed());
        }
    }

    /// <summary>The start of an answer's body, for the deliveries list; what the deadline cut short is said so.</summary>
    private static async Task<string> ReadAnswerAsync(HttpResponseMessage response, CancellationToken deadline, CancellationToken stopping)
    {
        // Only the start is kept; the rest of a long answer is never read, and the connection closes with the response.
        var buffer = new byte[ErrorTextLength];
        var read = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(deadline);
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), deadline)) > 0)
            {
                read += n;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            return Encoding.UTF8.GetString(buffer, 0, read) + " (the rest of the answer did not arrive)";
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static string Describe(int status, string answer) =>
        answer.Length == 0 ? $"HTTP {status}" : $"HTTP {status}: {Trim(answer)}";

    /// <summary>
    /// One line of at most <see cref="ErrorTextLength"/> characters, for the log and the deliveries list, written as
    /// <see cref="TerminalText"/> does: a receiver's answer cannot rewrite a terminal or disguise a line.
    /// </summary>
    internal static string Trim(string text)
    {
        var line = TerminalText.Escape(text.Trim());
        if (line.Length <= ErrorTextLength)
        {
            return line;
        }

        // Never cut inside an escape.
        var cut = ErrorTextLength;
        var escape = line.LastIndexOf('\\', cut - 1, Math.Min(6, cut));
        return line[..(escape >= 0 && escape + 6 > cut ? escape : cut)];
    }

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private ValueTask<Stream> ConnectAsync(DestinationPolicy policy, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        // The request that asked for this connection gets ConnectTimeout more, and Timeout from the moment it is made.
        context.InitialRequestMessage.Options.TryGetValue(Deadline, out var deadline);
        MoveDeadline(deadline, _connectTimeout + _timeout);
        return Connecting is { } connecting
            ? ConnectLaterAsync(connecting, policy, context.DnsEndPoint, () => MoveDeadline(deadline, _timeout), cancellationToken)
            : ConnectAsync(policy, context.DnsEndPoint, () => MoveDeadline(deadline, _timeout), cancellationToken);
    }

    private static async ValueTask<Stream> ConnectLaterAsync(Func<CancellationToken, Task> connecting, DestinationPolicy policy,
        DnsEndPoint endpoint, Action connected, CancellationToken cancellationToken)
    {
        await connecting(cancellationToken);
        return await ConnectAsync(policy, endpoint, connected, cancellationToken);
    }

    private static void MoveDeadline(CancellationTokenSource? deadline, TimeSpan from)
    {
        try
        {
            deadline?.CancelAfter(from);
        }
        catch (ObjectDisposedException)
        {
            // That attempt ended while its connection was being made (another request may use the connection).
        }
    }

    private static async ValueTask<Stream> ConnectAsync(DestinationPolicy policy, DnsEndPoint endpoint, Action connected,
        CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(policy.Allows).ToArray();
        if (allowed.Length == 0)
        {
            throw new DestinationRefusedException($"{endpoint.Host} is {string.Join(", ", addresses.Select(a => $"{a}, in {DestinationPolicy.RefusedRange(a)}"))}: "
                + "not a public address, refused unless Ccfs:Events:AllowPrivateDestinations is true");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            connected();
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// The body, written only through the gate: the check and the write are one step for <see cref="SubscriptionChanges"/>,
/// so a change either comes before it (and nothing goes) or waits until the body is in the connection's hands. A
/// request sent again on a new connection (a pooled one that turned out closed) passes the gate again.
/// </summary>
internal sealed class GatedContent(ReadOnlyMemory<byte> body, SendGate? gate) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (gate is null)
        {
            await stream.WriteAsync(body, cancellationToken);
            return;
        }

        if (!gate.TryEnter())
        {
            throw new GateClosedException();
        }

        try
        {
            await stream.WriteAsync(body, cancellationToken);
        }
        finally
        {
            gate.Exit();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}

/// <summary>A <see cref="SendGate"/> refused the request: its subscription changed.</summary>
internal sealed class GateClosedException() : IOException("the subscription changed before the request was sent");

/// <summary>The destination resolved only to addresses the <see cref="DestinationPolicy"/> refuses.</summary>
public sealed class DestinationRefusedException(string message) : IOException(message);
