using Ccfs.Client;

namespace Ccfs.Client.Tests;

/// <summary>
/// An attempt that gets no answer is abandoned after <see cref="CcfsClientOptions.AttemptTimeout"/> and retried, for
/// the requests that are retried at all. The limits are generous; the tests count attempts, never time them.
/// </summary>
public sealed class AttemptTimeoutTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    [Fact]
    public async Task A_hash_whose_first_attempt_gets_no_answer_is_retried()
    {
        var hanging = new HangingHandler(1);
        var client = ClientFixture.Client(factory, o => o.AttemptTimeout = TimeSpan.FromSeconds(1), hanging);
        var name = (await ClientFixture.Client(factory).UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn)).Data!.FileName;

        var response = await client.GetFileHashAsync(name);

        Assert.True(response.IsSuccess);
        Assert.Equal(1, hanging.Abandoned);
        Assert.True(hanging.Requests >= 2);
        Assert.Equal(1, response.LostAnswers);
    }

    [Fact]
    public async Task A_download_whose_first_attempt_outlasts_the_http_client_timeout_is_retried()
    {
        var hanging = new HangingHandler(1);
        var client = ClientFixture.Client(factory, o => o.AttemptTimeout = Timeout.InfiniteTimeSpan, hanging, httpTimeout: TimeSpan.FromSeconds(1));
        var name = (await ClientFixture.Client(factory).UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn)).Data!.FileName;
        using var destination = new MemoryStream();

        var response = await client.DownloadAsync(name, destination);

        Assert.True(response.IsSuccess);
        Assert.Equal(Samples.Sine, destination.ToArray());
        Assert.Equal(1, hanging.Abandoned);
    }

    [Fact]
    public async Task An_upload_that_gets_no_answer_is_not_sent_again_unless_the_caller_asks()
    {
        var once = new HangingHandler(1);
        var twice = new HangingHandler(1);
        var client = ClientFixture.Client(factory, o => o.AttemptTimeout = TimeSpan.FromSeconds(1), once, httpTimeout: TimeSpan.FromSeconds(1));
        var retrying = ClientFixture.Client(factory, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.RetryUploads = true;
        }, twice);

        await Assert.ThrowsAsync<TaskCanceledException>(() => client.UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn));
        var retried = await retrying.UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn);

        Assert.Equal(1, once.Requests);
        Assert.True(retried.IsSuccess);
        Assert.Equal(1, twice.Abandoned);
    }
}
