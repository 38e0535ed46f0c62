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
}

/// <param name="Error">What went wrong, for the deliveries list: the failure, or the start of the answer's body.</param>
public sealed record DeliveryResult(DeliveryVerdict Verdict, int? StatusCode, string? Error, long DurationMs);

/// <summary>
/// Sends one signed delivery. The connection is made here, not by the default resolver: the name is resolved and each
/// address checked by the <see cref="DestinationPolicy"/> at every connect, so a name that starts resolving to a
/// private address (DNS rebinding) is refused then too. Redirects are not followed, connecting and answering are
/// bounded (<c>Ccfs:Events:ConnectTimeout</c>, <c>…:Timeout</c>), and at most <see cref="MaxAnswerBytes"/> of an
/// answer are read.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public const int MaxAnswerBytes = 64 * 1024;

    private const int ErrorTextLength = 300;

    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    public WebhookSender(EventOptions options, DestinationPolicy policy, TimeProvider time)
    {
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxResponseHeadersLength = 64,
            ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, context.DnsEndPoint, cancellationToken),
        };
        _http = new HttpClient(handler) { Timeout = options.ConnectTimeout + options.Timeout, MaxResponseContentBufferSize = MaxAnswerBytes };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ccfs", CcfsVersion.Version));
    }

    public async Task<DeliveryResult> SendAsync(Uri url, string eventId, ReadOnlyMemory<byte> body, byte[] key, CancellationToken cancellationToken)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CloudEventFormat.ContentType.ToString());
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, eventId);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(key, eventId, timestamp, body.Span));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var answer = await ReadAnswerAsync(response, cancellationToken);
            var elapsed = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return status switch
            {
                >= 200 and < 300 => new(DeliveryVerdict.Delivered, status, null, elapsed),
                410 => new(DeliveryVerdict.Gone, status, Describe(status, answer), elapsed),
                408 or 429 or >= 500 => new(DeliveryVerdict.Retry, status, Describe(status, answer), elapsed),
                >= 300 and < 400 => new(DeliveryVerdict.DeadLetter, status,
                    $"the receiver redirected to {response.Headers.Location?.ToString() ?? "nowhere"}; redirects are not followed", elapsed),
                _ => new(DeliveryVerdict.DeadLetter, status, Describe(status, answer), elapsed),
            };
        }
        catch (HttpRequestException e) when (Find<DestinationRefusedException>(e) is { } refused)
        {
            return new(DeliveryVerdict.DeadLetter, null, refused.Message, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = e is TaskCanceledException ? "the receiver did not answer in time" : Trim(e.InnerException?.Message ?? e.Message);
            return new(DeliveryVerdict.Retry, null, reason, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static async Task<string> ReadAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Only the start is kept; the rest of a long answer is never read, and the connection closes with the response.
        var buffer = new byte[ErrorTextLength];
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static string Describe(int status, string answer) =>
        answer.Length == 0 ? $"HTTP {status}" : $"HTTP {status}: {Trim(answer)}";

    private static string Trim(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= ErrorTextLength ? line : line[..ErrorTextLength];
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

    private static async ValueTask<Stream> ConnectAsync(DestinationPolicy policy, DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(policy.Allows).ToArray();
        if (allowed.Length == 0)
        {
            throw new DestinationRefusedException($"{endpoint.Host} is {string.Join(", ", addresses.Select(a => a.ToString()))}: a private, "
                + "loopback or link-local address, refused unless Ccfs:Events:AllowPrivateDestinations is true");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
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

/// <summary>The destination resolved only to addresses the <see cref="DestinationPolicy"/> refuses.</summary>
public sealed class DestinationRefusedException(string message) : IOException(message);
