using Polly.Timeout;

namespace Ccfs.Client;

/// <summary>
/// Copies a downloaded file's body to its destination. A file may be large, so no limit bounds the whole copy; each
/// wait for more bytes is bounded instead: a body that brings nothing for that long fails its attempt.
/// </summary>
internal static class FileBody
{
    /// <summary>Writes the bytes already read, then the rest of the body; returns how many bytes were written.</summary>
    /// <param name="idle">How long one read may wait for bytes; zero or infinite for no limit.</param>
    /// <param name="retried">
    /// Whether the attempt may be sent again (the destination can seek back): a stall then throws what the retry handles,
    /// <see cref="TimeoutRejectedException"/>, and otherwise a <see cref="TimeoutException"/> it leaves alone.
    /// </param>
    /// <param name="maxBytes">The most to write (<see cref="CcfsClientOptions.MaxDownloadBytes"/>); null for no limit.</param>
    /// <param name="minBytesPerSecond">The least the body must bring in each stretch of <paramref name="idle"/>; zero for no floor.</param>
    /// <param name="time">The clock the stretches are measured on.</param>
    public static async Task<long> CopyAsync(FileStart file, Stream destination, TimeSpan idle, bool retried, long? maxBytes,
        int minBytesPerSecond, TimeProvider time, CancellationToken cancellationToken)
    {
        if (file.Length > maxBytes || file.First.Length > maxBytes)
        {
            throw TooLarge(file.Length ?? file.First.Length, maxBytes.Value);
        }

        await destination.WriteAsync(file.First, cancellationToken);
        var written = (long)file.First.Length;
        var limited = idle > TimeSpan.Zero && idle != Timeout.InfiniteTimeSpan;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffer = new byte[64 * 1024];
        var stretch = (Start: time.GetTimestamp(), Written: written);
        try
        {
            while (true)
            {
                if (limited)
                {
                    // Restarts the countdown: each read has the whole limit.
                    timer.CancelAfter(idle);
                }

                var read = await file.Body.ReadAsync(buffer, timer.Token);
                if (read == 0)
                {
                    return written;
                }

                if (written + read > maxBytes)
                {
                    throw TooLarge(written + read, maxBytes.Value);
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                written += read;
                if (limited && minBytesPerSecond > 0 && time.GetElapsedTime(stretch.Start) is var elapsed && elapsed >= idle)
                {
                    var rate = (written - stretch.Written) / elapsed.TotalSeconds;
                    if (rate < minBytesPerSecond)
                    {
                        var message = $"the file's body came at {rate:0.#} bytes/s over {elapsed.TotalSeconds:0.#} s after {written} bytes, "
                            + $"slower than MinDownloadBytesPerSecond ({minBytesPerSecond})";
                        throw retried ? new TimeoutRejectedException(message, idle) : new TimeoutException(message);
                    }

                    stretch = (time.GetTimestamp(), written);
                }
            }
        }
        catch (OperationCanceledException e) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var message = $"the file's body stopped: no bytes came for {idle.TotalSeconds:0.###} s after {written} bytes";
            throw retried ? new TimeoutRejectedException(message, idle, e) : new TimeoutException(message, e);
        }
    }

    private static CcfsDownloadTooLargeException TooLarge(long bytes, long maxBytes) => new(bytes, maxBytes);
}
