using Ccfs.Server.Catalog.Sqlite;
using Ccfs.Server.Hosting;

namespace Ccfs.Server.Tests.Unit.Catalog;

/// <summary>A SQLite catalog belongs to one process: the data dir's lock refuses a second taker and says why.</summary>
[Trait("Catalog", "Sqlite")]
public sealed class DataDirLockTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-lock", Guid.NewGuid().ToString("N"));

    [Fact]
    public void The_lock_is_held_until_released_and_a_second_taker_is_refused_with_the_reason()
    {
        var first = DataDirLock.Acquire(_dataDir);

        var refused = Assert.Throws<CcfsStartupException>(() => DataDirLock.Acquire(_dataDir));

        Assert.Contains($"the data dir {_dataDir} is in use by another ccfs process", refused.Message, StringComparison.Ordinal);
        first.Dispose();
        DataDirLock.Acquire(_dataDir).Dispose();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
