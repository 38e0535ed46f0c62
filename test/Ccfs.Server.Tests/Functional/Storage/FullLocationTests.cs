using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Ccfs.Server.Tests.Functional.Storage;

/// <summary>
/// A location whose file system is full, for real: a small tmpfs (mounting needs root, as CI has). Readiness reports it
/// and leaves nothing behind however often it is polled; an upload is 503 and stores nothing.
/// </summary>
[Trait("Storage", "Disk")]
public sealed class FullLocationTests : IDisposable
{
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "ccfs-full", Guid.NewGuid().ToString("N"));
    private readonly CcfsFactory _factory;

    public FullLocationTests()
    {
        Directory.CreateDirectory(_mount);
        Run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", _mount);
        _factory = CcfsFactory.With(new() { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:0:Path"] = _mount });
        _ = _factory.Services;
        try
        {
            using var fill = File.Create(Path.Combine(_mount, "filler"));
            fill.Write(new byte[1024 * 1024]);
        }
        catch (IOException)
        {
            // No space left: what the test wants.
        }
    }

    [Fact]
    public async Task Readiness_polled_fifty_times_reports_the_full_location_and_leaves_no_probe_file()
    {
        using var http = _factory.CreateClient();
        for (var i = 0; i < 50; i++)
        {
            using var response = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var location = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks")
                .EnumerateArray().Single(c => c.GetProperty("name").GetString() == "location:0");
            Assert.Contains("cannot be written", location.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_mount, ".ccfs-tmp")));
    }

    [Fact]
    public async Task An_upload_to_a_full_location_is_503_and_leaves_no_file_and_no_row()
    {
        var before = Directory.EnumerateFileSystemEntries(_mount, "*", SearchOption.AllDirectories).Order().ToList();

        var response = await _factory.Signed().UploadAsync(Samples.ALawOfSize(64 * 1024));

        await CcfsAnswer.AssertTripleAsync(response, "0300503", "The service is temporarily unavailable, try again later.",
            HttpStatusCode.ServiceUnavailable);
        Assert.Equal("the file could not be stored: the disk is full; nothing was kept", CcfsAnswer.Reason(response));
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(_mount, "*", SearchOption.AllDirectories).Order().ToList());
        Assert.Empty(_factory.CatalogRows());
    }

    [Fact]
    public async Task A_location_with_less_room_than_one_upload_is_ready_but_degraded_and_its_free_bytes_are_a_gauge()
    {
        File.Delete(Path.Combine(_mount, "filler"));
        using (var fill = File.Create(Path.Combine(_mount, "filler")))
        {
            // About 100 KiB left: a probe fits, a 5 MB upload (the default limit) would not.
            fill.Write(new byte[156 * 1024]);
        }

        using var http = _factory.CreateClient();
        using var response = await http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        var location = report.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "location:0");
        Assert.Equal("Degraded", location.GetProperty("status").GetString());
        Assert.Contains("less than one upload of the size limit", location.GetProperty("description").GetString(), StringComparison.Ordinal);
        var free = (await Observability.ObservabilityTests.ScrapeAsync(http))["ccfs_location_free_bytes{location=\"0\"}"];
        Assert.InRange(free, 1, 256 * 1024);
    }

    public void Dispose()
    {
        _factory.Dispose();
        Run("umount", _mount);
        Directory.Delete(_mount);
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed ({error.Trim()}); this test needs root, as CI has");
    }
}
