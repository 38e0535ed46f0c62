namespace Ccfs.Server.Tests.Functional.Auth;

/// <summary>
/// The default flow-control points, per access key: 20 downloads and 50 hash queries per window. The window is
/// stretched to an hour so the counts, not the clock, decide; the permit limits are the shipped defaults.
/// </summary>
public sealed class FlowControlTests : IDisposable
{
    private readonly CcfsFactory _factory = CcfsFactory.With(new()
    {
        ["Ccfs:Limits:Download:PermitLimit"] = null,
        ["Ccfs:Limits:Download:Window"] = "01:00:00",
        ["Ccfs:Limits:Hash:PermitLimit"] = null,
        ["Ccfs:Limits:Hash:Window"] = "01:00:00",
    });

    [Fact]
    public async Task The_21st_download_of_an_account_is_0300008_and_another_account_still_downloads()
    {
        var mine = _factory.Signed();
        var theirs = _factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey);
        var myFile = await mine.StoreAsync(Samples.Sine);
        var theirFile = await theirs.StoreAsync(Samples.Sine, CcfsFactory.OtherVdn);

        for (var i = 0; i < 20; i++)
        {
            using var allowed = await mine.DownloadAsync(myFile);
            Assert.Equal(Samples.Sine, await allowed.Content.ReadAsByteArrayAsync());
        }

        using var refused = await mine.DownloadAsync(myFile);
        await CcfsAnswer.AssertTripleAsync(refused, "0300008", "Reached the download flow control threshold.");
        AssertRetryAfterIsTheWindowsRest(refused);
        using var other = await theirs.DownloadAsync(theirFile);
        Assert.Equal(Samples.Sine, await other.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_51st_hash_query_of_an_account_is_0300009_and_downloads_are_counted_apart()
    {
        var mine = _factory.Signed();
        var fileName = await mine.StoreAsync(Samples.Sine);

        for (var i = 0; i < 50; i++)
        {
            await CcfsAnswer.AssertTripleAsync(await mine.HashAsync(fileName), "0", "success");
        }

        using var refused = await mine.HashAsync(fileName);
        await CcfsAnswer.AssertTripleAsync(refused, "0300009", "Reached the query flow control threshold.");
        AssertRetryAfterIsTheWindowsRest(refused);
        using var download = await mine.DownloadAsync(fileName);
        Assert.Equal(Samples.Sine, await download.Content.ReadAsByteArrayAsync());
    }

    public void Dispose() => _factory.Dispose();

    /// <summary>When the key may ask again: at most the hour's window, and more than a minute away (it has just begun).</summary>
    private static void AssertRetryAfterIsTheWindowsRest(HttpResponseMessage refused)
    {
        var seconds = refused.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.True(seconds is > 60 and <= 3600, $"Retry-After: {refused.Headers.RetryAfter}");
    }
}
