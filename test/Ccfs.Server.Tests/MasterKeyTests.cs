using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Tests;

/// <summary>The key that seals secret keys: created once per data dir, shared by every node that starts on it.</summary>
public sealed class MasterKeyTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ccfs-master-key", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Nodes_starting_together_on_a_fresh_data_dir_end_up_with_one_key()
    {
        var settings = Settings();

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => MasterKey.Load(settings))));

        var sealedSecret = keys[0].Seal("ak", "the secret");
        Assert.All(keys, key => Assert.Equal("the secret", key.Open("ak", sealedSecret)));
        Assert.Equal([MasterKey.FileName], Directory.GetFiles(_dataDir).Select(Path.GetFileName));
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public void A_sealed_secret_opens_only_for_its_own_access_key_and_untouched()
    {
        using var key = MasterKey.Load(Settings());
        var sealedSecret = key.Seal("ak-1", "the secret");

        Assert.Null(key.Open("ak-2", sealedSecret));
        sealedSecret[^1] ^= 1;
        Assert.Null(key.Open("ak-1", sealedSecret));
        Assert.Null(key.Open("ak-1", sealedSecret.AsSpan(0, 10)));
    }

    [Fact]
    public void A_configured_key_that_is_not_32_bytes_stops_the_server()
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Settings(Convert.ToBase64String(new byte[16])));

        Assert.Contains("Ccfs:Security:MasterKey", error.Message, StringComparison.Ordinal);
    }

    private CcfsSettings Settings(string? masterKey = null) => CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(
        new Dictionary<string, string?> { ["Ccfs:DataDir"] = _dataDir, ["Ccfs:Security:MasterKey"] = masterKey }).Build());
}
