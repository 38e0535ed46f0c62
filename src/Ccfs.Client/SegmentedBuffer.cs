using System.Buffers;

namespace Ccfs.Client;

/// <summary>
/// A stream that cannot seek, read once into pooled segments so it can be read again: once to sign, once to send.
/// Segments grow from 64 KiB to 1 MiB and are never copied, so holding a file costs about its size, not the 2–3 times
/// of a MemoryStream that doubles; they go back to the pool on dispose.
/// </summary>
internal sealed class SegmentedBuffer : Stream
{
    private const int FirstSegment = 64 * 1024;
    private const int LargestSegment = 1024 * 1024;

    private readonly List<byte[]> _segments = [];
    private long _length;
    private long _position;

    private SegmentedBuffer()
    {
    }

    /// <summary>Reads <paramref name="source"/> to its end; more than <paramref name="maxBytes"/> is refused.</summary>
    public static async Task<SegmentedBuffer> ReadAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new SegmentedBuffer();
        try
        {
            while (true)
            {
                var (segment, offset) = buffer.SpaceToFill();
                var read = await source.ReadAsync(segment.AsMemory(offset), cancellationToken);
                if (read == 0)
                {
                    return buffer;
                }

                buffer._length += read;
                if (buffer._length > maxBytes)
                {
                    throw new InvalidOperationException(
                        $"the stream is longer than {maxBytes} bytes (CcfsClientOptions.MaxBufferedUploadBytes); "
                        + "pass a seekable stream or a file path to upload it without buffering");
                }
            }
        }
        catch
        {
            await buffer.DisposeAsync();
            throw;
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(Span<byte> buffer)
    {
        var copied = 0;
        while (copied < buffer.Length && _position < _length)
        {
            var (located, offset) = Locate(_position);
            var segment = located!;
            var count = (int)Math.Min(Math.Min(segment.Length - offset, buffer.Length - copied), _length - _position);
            segment.AsSpan(offset, count).CopyTo(buffer[copied..]);
            copied += count;
            _position += count;
        }

        return copied;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        foreach (var segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
        base.Dispose(disposing);
    }

    private static int SegmentSize(int index) => Math.Min(FirstSegment << Math.Min(index, 4), LargestSegment);

    /// <summary>The segment and offset where the next byte read from the source goes, renting a segment when full.</summary>
    private (byte[] Segment, int Offset) SpaceToFill()
    {
        var (segment, offset) = _segments.Count == 0 ? (null, 0) : Locate(_length);
        if (segment is not null && offset < segment.Length)
        {
            return (segment, offset);
        }

        var next = ArrayPool<byte>.Shared.Rent(SegmentSize(_segments.Count));
        _segments.Add(next);
        return (next, 0);
    }

    /// <summary>The segment holding byte <paramref name="position"/>, and its offset there; past the end, the last segment's end.</summary>
    private (byte[]? Segment, int Offset) Locate(long position)
    {
        var start = 0L;
        foreach (var segment in _segments)
        {
            if (position < start + segment.Length)
            {
                return (segment, (int)(position - start));
            }

            start += segment.Length;
        }

        return _segments.Count == 0 ? (null, 0) : (_segments[^1], _segments[^1].Length);
    }
}
