using Polly.Timeout;

namespace Ccfs.Client;

/// <summary>
/// Reads a CC-FS JSON answer's body whole before it is interpreted, bounded in size and in time: an endpoint that
/// sends an endless or dripping body fails the attempt rather than filling memory or waiting for ever.
/// </summary>
internal static class AnswerBody
{
    /// <summary>The largest answer read: a CC-FS answer is a resultCode, a resultDesc and a small resultData, a few hundred bytes.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>
    /// Reads the body, after <paramref name="start"/> when the caller already read that much of <paramref name="body"/>,
    /// and puts it back as buffered content with the same headers.
    /// </summary>
    /// <param name="limit">How long the whole body may take once the headers came; zero or infinite for no limit.</param>
    public static async Task LoadAsync(HttpResponseMessage response, TimeSpan limit, CancellationToken cancellationToken,
        Stream? body = null, ReadOnlyMemory<byte> start = default)
    {
        if (response.Content.Headers.ContentLength > MaxBytes)
        {
            throw TooLarge(response);
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit > TimeSpan.Zero && limit != Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(limit);
        }

        using var read = new MemoryStream();
        read.Write(start.Span);
        try
        {
            body ??= await response.Content.ReadAsStreamAsync(timer.Token);
            var chunk = new byte[16 * 1024];
            int count;
            while ((count = await body.ReadAsync(chunk, timer.Token)) > 0)
            {
                if (read.Length + count > MaxBytes)
                {
                    throw TooLarge(response);
                }

                read.Write(chunk, 0, count);
            }
        }
        catch (OperationCanceledException e) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutRejectedException($"the endpoint's answer did not come whole within {limit.TotalSeconds:0.###} s of its headers", limit, e);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // As HttpClient's own buffering reports it, so an answer lost on the way is retried as it always was.
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "the connection broke before the whole answer came", e);
        }

        var buffered = new ByteArrayContent(read.ToArray());
        foreach (var header in response.Content.Headers.NonValidated)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        response.Content.Dispose();
        response.Content = buffered;
    }

    private static CcfsRequestException TooLarge(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var type = response.Content.Headers.ContentType?.MediaType is { } media ? " " + media : "";
        return new CcfsRequestException(status, null, null, $"the endpoint answered HTTP {status}{type} with a body of more than "
            + $"{MaxBytes / 1024 / 1024} MiB, where a CC-FS answer is a few hundred bytes: it is not a CC-FS answer");
    }
}
