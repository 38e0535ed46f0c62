using Ccfs.Server.Faults;
using Ccfs.Testing;
using NUnit.Framework;

namespace Voicebot.NUnitTests;

/// <summary>The voicebot against a real ccfs in the test process, one for the fixture and reset between tests, with NUnit.</summary>
[TestFixture]
public sealed class PromptPublisherTests
{
    private CcfsTestServer _ccfs = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _ccfs = await CcfsTestServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _ccfs.DisposeAsync();

    [TearDown]
    public async Task ResetAsync()
    {
        _ccfs.ClearFaults();
        await _ccfs.ResetAsync();
    }

    private PromptPublisher Publisher() => new(_ccfs.Client, _ccfs.VdnId, TimeSpan.FromMilliseconds(50));

    [Test]
    public async Task A_published_prompt_is_stored_under_the_vdns_folder()
    {
        var name = await Publisher().PublishAsync("welcome.wav");

        Assert.That(name, Does.StartWith("Y:/3rdfile/1/thirdvoicebotfile/"));
        Assert.That((await _ccfs.Client.GetFileHashAsync(name)).IsSuccess, Is.True);
    }

    [Test]
    public async Task A_busy_service_is_retried_and_the_prompt_stored_once()
    {
        var before = _ccfs.Journal().LastOrDefault()?.Id;
        var rule = _ccfs.AddFault(new FaultRuleSpec(new FaultMatch(Interface: "uploadFile"), new FaultAction(ResultCode: "0300503"), Times: 1));

        await Publisher().PublishAsync("welcome.wav");

        var uploads = _ccfs.Journal(after: before).Where(e => e.Interface == "uploadFile").ToList();
        Assert.That(uploads.Select(e => e.Fault), Is.EqualTo(new[] { rule.Id, null }));
        Assert.That(uploads.Select(e => e.ResultCode), Is.EqualTo(new[] { "0300503", "0" }));
    }

    [Test]
    public async Task A_recording_is_fetched_once_the_ivr_has_written_it()
    {
        var publisher = Publisher();
        Assert.That(await publisher.FetchRecordingAsync("Y:/voice/1/IVRrecordFile/20261201"), Is.Null);

        await _ccfs.SeedRecordingAsync("Y:/voice/1/IVRrecordFile/20261201/093012-record.wav", File.ReadAllBytes("recording.wav"));

        Assert.That(await publisher.FetchRecordingAsync("Y:/voice/1/IVRrecordFile/20261201"), Is.EqualTo(File.ReadAllBytes("recording.wav")));
    }
}
