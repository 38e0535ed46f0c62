namespace Ccfs.Server.Faults;

/// <summary>
/// The answer's body as a fault rule shapes it: sent at <c>bytesPerSecond</c> (in pieces of a tenth of a second's worth,
/// so the client sees bytes trickle in), and cut off after <c>dropAfterBytes</c>, where the connection is aborted as
/// if the network failed: the status line and headers went out, the rest never comes. A trickle that would outlast
/// <paramref name="longest"/> (by default <see cref="FaultRuleSpec.MaxDelayMs"/>, the longest delay a rule may ask) is
/// cut off there the same way, so no rule holds a connection and its open file for days.
/// </summary>
public sealed class ShapedAnswerStream(HttpContext http, Stream inner, int? bytesPerSecond, long? dropAfterBytes, TimeSpan? longest = null)
    : Stream
{
    private readonly TimeSpan _longest = longest ?? TimeSpan.FromMilliseconds(FaultRuleSpec.MaxDelayMs);
    private long _written;
    private bool _dropped;
    private long _started;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty && !_dropped)
        {
            var piece = buffer.Length;
            if (dropAfterBytes is { } drop)
            {
                piece = (int)Math.Min(piece, drop - _written);
            }

            if (bytesPerSecond is { } rate)
            {
                piece = Math.Min(piece, Math.Max(1, rate / 10));
            }

            if (piece > 0)
            {
                await inner.WriteAsync(buffer[..piece], cancellationToken);
                _written += piece;
                buffer = buffer[piece..];
            }

            if (dropAfterBytes is { } limit && _written >= limit)
            {
                await DropAsync(cancellationToken);
                return;
            }

            if (bytesPerSecond is { } bytes && !buffer.IsEmpty)
            {
                _started = _started == 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : _started;
                if (System.Diagnostics.Stopwatch.GetElapsedTime(_started) >= _longest)
                {
                    await DropAsync(cancellationToken);
                    return;
                }

                await inner.FlushAsync(cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds((double)piece / bytes), cancellationToken);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => _dropped ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    public override void Flush() => FlushAsync().GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>How long the bytes sent get to reach the client before the connection is aborted.</summary>
    public static readonly TimeSpan DrainTime = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Sends what was written (headers included), then aborts the connection; later writes go nowhere. The abort resets
    /// the connection, and a client's system may throw away bytes it received but its program had not read yet when the
    /// reset came: the pause lets them be read first, so the client meets exactly the bytes the rule names.
    /// </summary>
    private async Task DropAsync(CancellationToken cancellationToken)
    {
        _dropped = true;
        try
        {
            await inner.FlushAsync(cancellationToken);
            await Task.Delay(DrainTime, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }

        http.Abort();
    }
}
