using System.Net;

namespace Ccfs.Server.Tests.Functional.Http;

/// <summary>Uploads beyond the concurrency limit wait in a bounded queue; past it they are turned away, not buffered.</summary>
public sealed class ConcurrencyLimitTests
{
    [Fact]
    public async Task When_every_slot_and_queue_place_is_taken_an_upload_is_0300503_and_stores_nothing()
    {
        using var factory = new GatedStoreFactory();
        var client = factory.Signed();

        // The first upload takes the only slot and keeps it while its write waits at the gate.
        var holding = client.UploadAsync(Samples.Sine);
        var before = await factory.HeldSnapshotAsync();

        var turnedAway = await client.UploadAsync(Samples.Sine);

        await CcfsAnswer.AssertTripleAsync(turnedAway, "0300503", "The service is temporarily unavailable, try again later.",
            HttpStatusCode.ServiceUnavailable);
        Assert.Equal("too many uploads are in progress", CcfsAnswer.Reason(turnedAway));
        Assert.Equal(before, factory.Snapshot());
        factory.Store.Open();
        await CcfsAnswer.AssertTripleAsync(await holding, "0", "success");
    }

    [Fact]
    public async Task An_admin_upload_takes_a_slot_of_the_same_limit()
    {
        using var factory = new GatedStoreFactory();
        var holding = factory.Signed().UploadAsync(Samples.Sine);
        var before = await factory.HeldSnapshotAsync();

        var turnedAway = await factory.Admin().SendAsync(HttpMethod.Post, $"/admin/api/vdns/{CcfsFactory.Vdn}/files", Samples.Sine,
            new SignOptions { ContentType = "audio/wav" }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, turnedAway.StatusCode);
        Assert.Equal(before, factory.Snapshot());
        factory.Store.Open();
        await CcfsAnswer.AssertTripleAsync(await holding, "0", "success");
    }
}
