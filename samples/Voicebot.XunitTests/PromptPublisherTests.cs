using Ccfs.Server.Faults;
using Ccfs.Testing;
using Xunit;

namespace Voicebot.XunitTests;

/// <summary>The voicebot against a real ccfs in the test process, one per test, with xUnit.</summary>
public sealed class PromptPublisherTests : IAsyncLifetime
{
    private CcfsTestServer _ccfs = null!;

    public async Task InitializeAsync() => _ccfs = await CcfsTestServer.StartAsync();

    public async Task DisposeAsync() => await _ccfs.DisposeAsync();

    private PromptPublisher Publisher() => new(_ccfs.Client, _ccfs.VdnId, TimeSpan.FromMilliseconds(50));

    [Fact]
    public async Task A_published_prompt_is_stored_under_the_vdns_folder()
    {
        var name = await Publisher().PublishAsync("welcome.wav");

        Assert.StartsWith("Y:/3rdfile/1/thirdvoicebotfile/", name, StringComparison.Ordinal);
        Assert.True((await _ccfs.Client.GetFileHashAsync(name)).IsSuccess);
    }

    [Fact]
    public async Task A_busy_service_is_retried_and_the_prompt_stored_once()
    {
        var rule = _ccfs.AddFault(new FaultRuleSpec(new FaultMatch(Interface: "uploadFile"), new FaultAction(ResultCode: "0300503"), Times: 1));

        await Publisher().PublishAsync("welcome.wav");

        var uploads = _ccfs.Journal().Where(e => e.Interface == "uploadFile").ToList();
        Assert.Equal([rule.Id, null], uploads.Select(e => e.Fault));
        Assert.Equal(["0300503", "0"], uploads.Select(e => e.ResultCode));
    }

    [Fact]
    public async Task A_recording_is_fetched_once_the_ivr_has_written_it()
    {
        var publisher = Publisher();
        Assert.Null(await publisher.FetchRecordingAsync("Y:/voice/1/IVRrecordFile/20261201"));

        await _ccfs.SeedRecordingAsync("Y:/voice/1/IVRrecordFile/20261201/093012-record.wav", File.ReadAllBytes("recording.wav"));

        Assert.Equal(File.ReadAllBytes("recording.wav"), await publisher.FetchRecordingAsync("Y:/voice/1/IVRrecordFile/20261201"));
    }
}
