using Ccfs.Server.Http;
using Microsoft.AspNetCore.Connections;

namespace Ccfs.Server.Tests.Functional.Http;

/// <summary>The server hands Kestrel the large-block pools (<see cref="LargeBlockMemoryPoolFactory"/>), not its own 4 KiB ones.</summary>
public sealed class LargeBlockMemoryPoolServerTests
{
    [Fact]
    public void The_server_gives_kestrel_the_large_block_pools()
    {
        using var factory = new CcfsFactory();

        Assert.IsType<LargeBlockMemoryPoolFactory>(factory.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }
}
