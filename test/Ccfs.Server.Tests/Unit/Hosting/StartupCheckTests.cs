using Ccfs.Server.Auth;
using Ccfs.Server.Configuration;
using Ccfs.Server.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Ccfs.Server.Tests.Unit.Hosting;

/// <summary>What stops a start before anything runs, and the one line each start-up failure becomes.</summary>
public sealed class StartupCheckTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("ccfs-startup-check").FullName;

    [Fact]
    public void A_location_path_that_is_a_file_is_named()
    {
        var file = Path.Combine(_work, "location");
        File.WriteAllText(file, "x");
        var settings = Settings(new() { ["Ccfs:Locations:0:Id"] = "7", ["Ccfs:Locations:0:Path"] = file });

        var error = Assert.Throws<CcfsStartupException>(() => StartupCheck.Run(settings));

        Assert.Equal($"{file} (location 7) is a file, not a folder", error.Message);
    }

    [Fact]
    public void A_data_dir_and_locations_that_can_be_written_pass_and_keep_nothing_of_the_check()
    {
        var settings = Settings([]);

        StartupCheck.Run(settings);

        Assert.Equal([Path.Combine(_work, "locations")], Directory.GetFileSystemEntries(_work));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_work, "locations", "0")));
    }

    [Fact]
    public void A_master_key_path_that_is_a_folder_is_named()
    {
        Directory.CreateDirectory(Path.Combine(_work, MasterKey.FileName));

        var error = Assert.Throws<CcfsStartupException>(() => MasterKey.Load(Settings([])));

        Assert.Equal($"{Path.Combine(_work, MasterKey.FileName)} is a folder, not the master key file", error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:6002", "127.0.0.1:6002 is already in use")]
    [InlineData("https://[::1]:8443", "[::1]:8443 is already in use")]
    public void A_port_in_use_is_named_by_its_address(string url, string expected)
    {
        var bind = new IOException($"Failed to bind to address {url}: address already in use.", new AddressInUseException("Address already in use"));

        Assert.StartsWith(expected, StartupFailure.Describe(bind, Settings([])), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_that_is_not_the_environments_is_left_to_show_whole()
    {
        Assert.Null(StartupFailure.Describe(new InvalidOperationException("a bug"), Settings([])));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private CcfsSettings Settings(Dictionary<string, string?> values) => CcfsSettings.Load(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>(values) { ["Ccfs:DataDir"] = _work }).Build());
}
