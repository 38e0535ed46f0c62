using Ccfs.Server.Faults;
using Ccfs.Testing;
using Microsoft.VisualStudio.TestTools.UnitTesting;

[assembly: DoNotParallelize]

namespace Voicebot.MSTestTests;

/// <summary>The voicebot against a real ccfs in the test process, one for the class and reset between tests, with MSTest.</summary>
[TestClass]
public sealed class PromptPublisherTests
{
    private static CcfsTestServer _ccfs = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context) => _ccfs = await CcfsTestServer.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await _ccfs.DisposeAsync();

    [TestCleanup]
    public async Task ResetAsync()
    {
        _ccfs.ClearFaults();
        await _ccfs.ResetAsync();
    }

    private static PromptPublisher Publisher() => new(_ccfs.Client, _ccfs.VdnId, TimeSpan.FromMilliseconds(50));

    [TestMethod]
    public async Task A_published_prompt_is_stored_under_the_vdns_folder()
    {
        var name = await Publisher().PublishAsync("welcome.wav");

        StringAssert.StartsWith(name, "Y:/3rdfile/1/thirdvoicebotfile/", StringComparison.Ordinal);
        Assert.IsTrue((await _ccfs.Client.GetFileHashAsync(name)).IsSuccess);
    }

    [TestMethod]
    public async Task A_busy_service_is_retried_and_the_prompt_stored_once()
    {
        var before = _ccfs.Journal().LastOrDefault()?.Id;
        var rule = _ccfs.AddFault(new FaultRuleSpec(new FaultMatch(Interface: "uploadFile"), new FaultAction(ResultCode: "0300503"), Times: 1));

        await Publisher().PublishAsync("welcome.wav");

        var uploads = _ccfs.Journal(after: before).Where(e => e.Interface == "uploadFile").ToList();
        CollectionAssert.AreEqual(new[] { rule.Id, null }, uploads.Select(e => e.Fault).ToArray());
        CollectionAssert.AreEqual(new[] { "0300503", "0" }, uploads.Select(e => e.ResultCode).ToArray());
    }

    [TestMethod]
    public async Task A_recording_is_fetched_once_the_ivr_has_written_it()
    {
        var publisher = Publisher();
        Assert.IsNull(await publisher.FetchRecordingAsync("Y:/voice/1/IVRrecordFile/20261201"));

        await _ccfs.SeedRecordingAsync("Y:/voice/1/IVRrecordFile/20261201/093012-record.wav", File.ReadAllBytes("recording.wav"));

        CollectionAssert.AreEqual(File.ReadAllBytes("recording.wav"), await publisher.FetchRecordingAsync("Y:/voice/1/IVRrecordFile/20261201"));
    }
}
