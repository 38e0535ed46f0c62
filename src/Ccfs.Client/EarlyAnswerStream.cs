namespace Ccfs.Client;

/// <summary>
/// The connection as the HTTP handler sees it, except that once sending fails, the rest of the request is dropped
/// instead of failing the request. HTTP lets a server answer before it has read the whole body: ccfs and other CC-FS
/// servers refuse a body over the upload limit from its headers, then close the connection. .NET sends the whole body
/// before it reads any answer, so without this the write into the closed connection fails and the answer waiting in
/// the socket (<c>0300003</c>, too large) is never read. With it, the handler goes on to read that answer; when the
/// connection broke with no answer sent, reading fails as it would have, so no failure goes unseen.
/// </summary>
internal sealed class EarlyAnswerStream(Stream connection) : Stream
{
    private volatile bool _sendingFailed;

    public override bool CanRead => connection.CanRead;

    public override bool CanWrite => connection.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => connection.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => connection.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        connection.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        connection.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_sendingFailed)
        {
            return;
        }

        try
        {
            connection.Write(buffer);
        }
        catch (IOException)
        {
            _sendingFailed = true;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_sendingFailed)
        {
            return;
        }

        try
        {
            await connection.WriteAsync(buffer, cancellationToken);
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            _sendingFailed = true;
        }
    }

    public override void Flush()
    {
        if (!_sendingFailed)
        {
            try
            {
                connection.Flush();
            }
            catch (IOException)
            {
                _sendingFailed = true;
            }
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_sendingFailed)
        {
            try
            {
                await connection.FlushAsync(cancellationToken);
            }
            catch (IOException) when (!cancellationToken.IsCancellationRequested)
            {
                _sendingFailed = true;
            }
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            connection.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => connection.DisposeAsync();
}
