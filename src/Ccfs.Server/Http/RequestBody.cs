using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Ccfs.Server.Http;

/// <summary>
/// Request bodies live in arrays from a pool of their own, sized to the upload concurrency, so buffers that stay
/// pooled between uploads are bounded instead of spreading over every thread as the shared pool would let them.
/// </summary>
public sealed class BodyBufferPool(int concurrentRequests)
{
    public ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: concurrentRequests + 1);
}

/// <summary>A request body held in a pooled array; writable so Base64 can be decoded in place.</summary>
public sealed class PooledBody(ArrayPool<byte> pool, byte[] array, int length) : IDisposable
{
    private byte[]? _array = array;

    public int Length { get; } = length;

    public Span<byte> Span => (_array ?? throw new ObjectDisposedException(nameof(PooledBody))).AsSpan(0, Length);

    public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(PooledBody))).AsMemory(0, Length);

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            pool.Return(array);
        }
    }
}

public enum BodyReadStatus
{
    Read,
    TooLarge,
    Aborted,

    /// <summary>The body arrived slower than Kestrel's minimum data rate (<c>Ccfs:Limits:MinRequestBodyRate</c>).</summary>
    TooSlow,
}

/// <summary>The least rate a request body must keep up, per request, whatever the protocol.</summary>
/// <param name="BytesPerSecond">Averaged since the body began; 0 turns the check off.</param>
/// <param name="GracePeriod">How long a body may arrive slower before the rate is enforced.</param>
public readonly record struct MinimumRate(int BytesPerSecond, TimeSpan GracePeriod)
{
    /// <summary>
    /// How long, from the start of the body, <paramref name="received"/> bytes keep the average at the rate: a body that
    /// sends nothing more is too slow at that moment (and never before the grace period ends).
    /// </summary>
    public TimeSpan AllowedFor(long received) =>
        TimeSpan.FromSeconds(Math.Max(GracePeriod.TotalSeconds, (double)received / BytesPerSecond));
}

public static class RequestBody
{
    private const int InitialChunkedBuffer = 16 * 1024;

    /// <summary>
    /// Reads the whole body if it fits in <paramref name="limit"/> bytes. A declared Content-Length over the limit is
    /// refused before a byte is read; a chunked body is refused as soon as it passes the limit. A body that falls below
    /// <paramref name="rate"/> is given up (<see cref="BodyReadStatus.TooSlow"/>): Kestrel enforces its rate per
    /// connection, so on HTTP/2 one fast stream would keep silent streams beside it alive; this check is per request.
    /// </summary>
    public static async Task<(BodyReadStatus Status, PooledBody? Body)> ReadAsync(HttpRequest request, ArrayPool<byte> pool,
        long limit, MinimumRate rate, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return (BodyReadStatus.TooLarge, null);
        }

        // The limit, not Kestrel's global default, governs this route.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1;
        }

        // Reading one byte past the limit is what proves a chunked body too large.
        var cap = (int)(limit + 1);
        var array = pool.Rent((int)(declared ?? Math.Min(InitialChunkedBuffer, cap)));
        var length = 0;
        var started = Stopwatch.GetTimestamp();
        // Kestrel enforces the rate of an HTTP/1.1 body itself, and answers; on HTTP/2 it does so only per connection, so
        // each stream gets a timer of its own, moved before each read to when its average would fall below the rate, that
        // resets the stream (cancelling a pending read instead would leave Kestrel's body reader unusable).
        using var tooSlow = rate.BytesPerSecond > 0 && !HttpProtocol.IsHttp11(request.Protocol) && !HttpProtocol.IsHttp10(request.Protocol)
            ? new CancellationTokenSource()
            : null;
        using var abortWhenTooSlow = tooSlow?.Token.Register(request.HttpContext.Abort);
        try
        {
            while (length != declared)
            {
                if (length == cap)
                {
                    pool.Return(array);
                    return (BodyReadStatus.TooLarge, null);
                }

                if (length == array.Length)
                {
                    var larger = pool.Rent((int)Math.Min(Math.Max(2L * array.Length, InitialChunkedBuffer), cap));
                    array.AsSpan(0, length).CopyTo(larger);
                    pool.Return(array);
                    array = larger;
                }

                if (tooSlow is not null)
                {
                    var allowed = rate.AllowedFor(length) - Stopwatch.GetElapsedTime(started);
                    if (allowed <= TimeSpan.Zero)
                    {
                        request.HttpContext.Abort();
                        pool.Return(array);
                        return (BodyReadStatus.TooSlow, null);
                    }

                    tooSlow.CancelAfter(allowed);
                }

                var read = await request.Body.ReadAsync(array.AsMemory(length, Math.Min(array.Length, cap) - length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (Exception e) when (tooSlow?.IsCancellationRequested == true && e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            pool.Return(array);
            return (BodyReadStatus.TooSlow, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            pool.Return(array);
            return (BodyReadStatus.TooLarge, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            pool.Return(array);
            return (BodyReadStatus.TooSlow, null);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            pool.Return(array);
            return (BodyReadStatus.Aborted, null);
        }

        return (BodyReadStatus.Read, new PooledBody(pool, array, length));
    }
}
