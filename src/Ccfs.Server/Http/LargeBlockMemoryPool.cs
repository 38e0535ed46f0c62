using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Ccfs.Server.Http;

/// <summary>
/// Gives Kestrel memory pools of 64 KiB blocks instead of its own 4 KiB ones. Kestrel's socket transport receives into
/// one pool block at a time, so with 4 KiB blocks a 7 MB upload body takes about two thousand <c>recv</c> calls, each
/// with the wake-ups around it, and on a virtual machine a syscall is dear: a bare Kestrel endpoint that only reads a
/// 7 MB body and writes 5 MiB used 39 ms of CPU per request with 4 KiB blocks and 18 ms with 64 KiB ones
/// (scripts/measure-kestrel-floor.sh, docs/performance.md). A connection waiting for its next request holds no block
/// (Kestrel waits for data before it rents one), so idle connections cost no more than before.
/// </summary>
public sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public const int BlockSize = 64 * 1024;

    /// <summary>Free blocks each pool keeps for reuse (4 MiB); blocks returned past that are left to the GC.</summary>
    public const int RetainedBlocks = 64;

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private volatile bool _disposed;

    public override int MaxBufferSize => LargeBlockMemoryPoolFactory.BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, LargeBlockMemoryPoolFactory.BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rent();
            return block;
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private void Return(Block block)
    {
        if (!_disposed && Interlocked.Increment(ref _freeCount) <= LargeBlockMemoryPoolFactory.RetainedBlocks)
        {
            _free.Enqueue(block);
            return;
        }

        Interlocked.Decrement(ref _freeCount);
    }

    /// <summary>A pinned block, as Kestrel's are (its socket reads need memory the GC does not move).</summary>
    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private int _rented = 1;

        public Memory<byte> Memory { get; } = GC.AllocateUninitializedArray<byte>(LargeBlockMemoryPoolFactory.BlockSize, pinned: true);

        public void Rent() => Volatile.Write(ref _rented, 1);

        /// <summary>Returns the block once, however often it is disposed, so two renters never share it.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _rented, 0) == 1)
            {
                pool.Return(this);
            }
        }
    }
}
