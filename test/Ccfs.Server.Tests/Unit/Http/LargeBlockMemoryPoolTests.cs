using System.Buffers;
using Ccfs.Server.Http;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Tests.Unit.Http;

public sealed class LargeBlockMemoryPoolTests
{
    private const int BlockSize = LargeBlockMemoryPoolFactory.DefaultBlockSize;

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(2048)]
    [InlineData(4096)]
    [InlineData(BlockSize)]
    public void Every_rent_gets_a_whole_block(int size)
    {
        using var pool = new LargeBlockMemoryPoolFactory().Create();

        using var block = pool.Rent(size);

        Assert.Equal(BlockSize, block.Memory.Length);
        Assert.Equal(BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void A_pool_of_another_block_size_rents_that_size()
    {
        using var pool = new LargeBlockMemoryPoolFactory(16 * 1024).Create();

        using var block = pool.Rent(4096);

        Assert.Equal(16 * 1024, block.Memory.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent((16 * 1024) + 1));
    }

    [Fact]
    public void More_than_a_block_is_refused()
    {
        using var pool = new LargeBlockMemoryPoolFactory().Create();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BlockSize + 1));
    }

    [Fact]
    public void A_block_disposed_twice_goes_to_one_renter_only()
    {
        using var pool = new LargeBlockMemoryPoolFactory().Create();
        var first = pool.Rent();
        first.Dispose();
        first.Dispose();

        using var second = pool.Rent();
        using var third = pool.Rent();

        Assert.Same(first, second);
        Assert.NotSame(second, third);
    }

    [Fact]
    public void Returned_blocks_are_reused_up_to_the_retained_count()
    {
        using var pool = new LargeBlockMemoryPoolFactory().Create();
        var firstRound = Enumerable.Range(0, LargeBlockMemoryPoolFactory.RetainedBlocks + 40).Select(_ => pool.Rent()).ToList();
        firstRound.ForEach(block => block.Dispose());

        var secondRound = Enumerable.Range(0, firstRound.Count).Select(_ => pool.Rent()).ToList();

        Assert.Equal(LargeBlockMemoryPoolFactory.RetainedBlocks, secondRound.Count(block => firstRound.Contains(block)));
        Assert.Equal(secondRound.Count, secondRound.Distinct().Count());
        secondRound.ForEach(block => block.Dispose());
    }

    [Fact]
    public void Blocks_in_use_and_allocated_are_counted()
    {
        var metrics = new CcfsMetrics();
        using var pool = new LargeBlockMemoryPoolFactory(metrics: metrics).Create();
        var first = pool.Rent();
        var second = pool.Rent();
        first.Dispose();
        first.Dispose();
        Assert.Equal(1, metrics.ReceiveBlocksInUse.Value);

        using var reused = pool.Rent();
        second.Dispose();

        Assert.Equal(1, metrics.ReceiveBlocksInUse.Value);
        Assert.Equal(2, metrics.ReceiveBlocksAllocated.Value);
    }

    [Fact]
    public void A_pool_that_is_disposed_keeps_nothing_and_rents_nothing()
    {
        var pool = new LargeBlockMemoryPoolFactory().Create();
        var block = pool.Rent();
        pool.Dispose();

        block.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }
}
