using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Ccfs.Server.Observability;
using Microsoft.AspNetCore.Connections;

namespace Ccfs.Server.Http;

/// <summary>
/// Gives Kestrel memory pools of larger blocks than its own 4 KiB ones. Kestrel's socket transport receives into one
/// pool block at a time, so with 4 KiB blocks a 7 MB upload body takes about two thousand <c>recv</c> calls, each
/// with the wake-ups around it, and on a virtual machine a syscall is dear: a bare Kestrel endpoint that only reads a
/// 7 MB body and writes 5 MiB used 39 ms of CPU per request with 4 KiB blocks and 18 ms with 64 KiB ones
/// (bench/scripts/measure-kestrel-floor.sh, docs/performance.md). A connection waiting for its next request holds no block
/// (Kestrel waits for data before it rents one); one that has sent part of a request holds a whole block until it
/// finishes or times out, which <c>Ccfs:Limits:MaxConnections</c> bounds.
/// </summary>
/// <param name="blockSize">The size of every block.</param>
/// <param name="metrics">Where blocks allocated and in use are counted (<c>ccfs_receive_blocks_*</c>), if anywhere.</param>
public sealed class LargeBlockMemoryPoolFactory(int blockSize = LargeBlockMemoryPoolFactory.DefaultBlockSize, CcfsMetrics? metrics = null)
    : IMemoryPoolFactory<byte>
{
    public const int DefaultBlockSize = 64 * 1024;

    /// <summary>
    /// Free blocks each pool keeps for reuse (4 MiB of 64 KiB blocks); blocks returned past that are left to the GC.
    /// Kestrel makes one pool per socket I/O queue (as many as cores, at most 16) and a few of its own.
    /// </summary>
    public const int RetainedBlocks = 64;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool(blockSize, metrics);
}

internal sealed class LargeBlockMemoryPool(int blockSize, CcfsMetrics? metrics) : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private volatile bool _disposed;

    public override int MaxBufferSize => blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, blockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        metrics?.ReceiveBlocksInUse.Inc();
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rent();
            return block;
        }

        metrics?.ReceiveBlocksAllocated.Inc();
        return new Block(this, blockSize);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private void Return(Block block)
    {
        metrics?.ReceiveBlocksInUse.Dec();
        if (!_disposed && Interlocked.Increment(ref _freeCount) <= LargeBlockMemoryPoolFactory.RetainedBlocks)
        {
            _free.Enqueue(block);
            return;
        }

        Interlocked.Decrement(ref _freeCount);
    }

    /// <summary>A pinned block, as Kestrel's are (its socket reads need memory the GC does not move).</summary>
    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly LargeBlockMemoryPool _pool;
        private int _rented = 1;

        public Block(LargeBlockMemoryPool pool, int size)
        {
            _pool = pool;
            var array = GC.AllocateUninitializedArray<byte>(size, pinned: true);
            Memory = MemoryMarshal.CreateFromPinnedArray(array, 0, array.Length);
        }

        public Memory<byte> Memory { get; }

        public void Rent() => Volatile.Write(ref _rented, 1);

        /// <summary>A second dispose by the same renter does not return the block twice.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _rented, 0) == 1)
            {
                _pool.Return(this);
            }
        }
    }
}
