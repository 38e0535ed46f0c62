using Amazon.S3.Model;

namespace Ccfs.Server.Storage.S3;

/// <summary>
/// An object's bytes as they arrive from the store, never held whole: reads come straight from the HTTP response.
/// Reports the object's <see cref="Length"/> (downloads send it as Content-Length). A read that waits longer than the
/// location's timeout for bytes fails with an <see cref="S3StoreException"/>, so a store that stalls mid-object cannot
/// hold a download forever. Disposing it ends the response (an unread rest is not downloaded).
/// </summary>
internal sealed class S3ObjectStream(GetObjectResponse response, Func<Exception, bool, S3StoreException?> failure, TimeSpan readTimeout)
    : Stream
{
    private readonly Stream _body = response.ResponseStream;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length { get; } = response.ContentLength;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            var read = _body.Read(buffer);
            _position += read;
            return read;
        }
        catch (Exception e) when (failure(e, false) is { } storeFailure)
        {
            throw storeFailure;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(readTimeout);
        try
        {
            var read = await _body.ReadAsync(buffer, deadline.Token);
            _position += read;
            return read;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && failure(e, deadline.IsCancellationRequested) is { } storeFailure)
        {
            throw storeFailure;
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
