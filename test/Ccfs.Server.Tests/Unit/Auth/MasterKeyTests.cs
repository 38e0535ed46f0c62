using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Tests.Unit.Auth;

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
        // The race is short, so it is run on many fresh data dirs.
        for (var round = 0; round < 50; round++)
        {
            var dataDir = Path.Combine(_dataDir, round.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var settings = Settings(dataDir: dataDir);
            using var start = new Barrier(8);

            var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return MasterKey.Load(settings);
            })));

            var sealedSecret = keys[0].Seal("ak", "the secret");
            Assert.All(keys, key => Assert.Equal("the secret", key.Open("ak", sealedSecret)));
            Assert.Equal([MasterKey.FileName], Directory.GetFiles(dataDir).Select(Path.GetFileName));
            foreach (var key in keys)
            {
                key.Dispose();
            }
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

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite, "0602")]
    public void A_key_file_others_can_reach_stops_the_server_naming_the_fix(UnixFileMode mode, string octal)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows keeps the key private through the data dir's ACL; there is no mode to check.
        }

        var settings = Settings();
        MasterKey.Load(settings).Dispose();
        var path = Path.Combine(_dataDir, MasterKey.FileName);
        File.SetUnixFileMode(path, mode);

        var error = Assert.Throws<CcfsConfigurationException>(() => MasterKey.Load(settings));

        Assert.Contains($"has mode {octal}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {path}", error.Message, StringComparison.Ordinal);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        MasterKey.Load(settings).Dispose();
    }

    private CcfsSettings Settings(string? masterKey = null, string? dataDir = null) => CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(
        new Dictionary<string, string?> { ["Ccfs:DataDir"] = dataDir ?? _dataDir, ["Ccfs:Security:MasterKey"] = masterKey }).Build());
}
