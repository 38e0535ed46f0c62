using Ccfs.Client;

namespace Ccfs.Client.Tests;

/// <summary>The buffer a stream that cannot seek is read into: the same bytes back, from anywhere, and a bound.</summary>
public sealed class SegmentedBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64 * 1024)]
    [InlineData((3 * 1024 * 1024) + 7)]
    public async Task What_was_read_reads_back_whole_twice(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);

        await using var buffer = await SegmentedBuffer.ReadAsync(new Trickle(bytes), 8 * 1024 * 1024, CancellationToken.None);
        using var first = new MemoryStream();
        await buffer.CopyToAsync(first);
        buffer.Position = 0;
        using var second = new MemoryStream();
        await buffer.CopyToAsync(second, 1000);

        Assert.Equal(length, buffer.Length);
        Assert.Equal(bytes, first.ToArray());
        Assert.Equal(bytes, second.ToArray());
    }

    [Fact]
    public async Task A_read_from_the_middle_crosses_segments()
    {
        var bytes = new byte[400_000];
        Random.Shared.NextBytes(bytes);
        await using var buffer = await SegmentedBuffer.ReadAsync(new Trickle(bytes), bytes.Length, CancellationToken.None);
        var read = new byte[300_000];

        buffer.Seek(50_000, SeekOrigin.Begin);
        buffer.ReadExactly(read);
        var rest = buffer.Read(new byte[100_000], 0, 100_000);
        var past = buffer.Read(new byte[10], 0, 10);

        Assert.Equal(bytes.AsSpan(50_000, 300_000).ToArray(), read);
        Assert.Equal((50_000, 0), (rest, past));
    }

    [Fact]
    public async Task A_stream_longer_than_the_bound_is_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SegmentedBuffer.ReadAsync(new Trickle(new byte[100_001]), 100_000, CancellationToken.None));

        Assert.Contains("MaxBufferedUploadBytes", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Gives at most 7,000 bytes a read, so reads end mid-segment as network reads do.</summary>
    private sealed class Trickle(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 7000)], cancellationToken);
    }
}
