using System.Text;
using Ccfs.Client;
using Microsoft.AspNetCore.Http;
using Polly.Timeout;

namespace Ccfs.Client.Tests;

/// <summary>
/// A JSON answer is read whole before it is judged, and only so much of it and for so long: a CC-FS answer is a few
/// hundred bytes, so a larger one is not CC-FS's, and one that stalls or drips fails its attempt.
/// </summary>
public sealed class AnswerBoundsTests
{
    private const string FileName = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";

    [Fact]
    public async Task An_answer_larger_than_a_mebibyte_is_refused_and_not_retried()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "application/json";
            // Valid JSON, and a CC-FS triple, but 3 MiB of it.
            await http.Response.WriteAsync("""{"resultCode":"0300011","resultDesc":"file does not exist","resultData":"" """);
            await http.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(new string(' ', 3 * 1024 * 1024)));
            await http.Response.WriteAsync("}");
        });

        var refused = await Assert.ThrowsAsync<CcfsRequestException>(() => HostileEndpoint.Client(endpoint).GetFileHashAsync(FileName));

        Assert.Contains("more than 1 MiB", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task A_download_refusal_whose_body_stalls_fails_each_attempt_after_the_attempt_timeout()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = 1000;
            await http.Response.WriteAsync("""{"resultCode":""");
            await http.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
        });
        var client = HostileEndpoint.Client(endpoint, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.RetryAttempts = 1;
        });
        using var destination = new MemoryStream();

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.DownloadAsync(FileName, destination));

        Assert.Equal(2, requests);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task A_download_refusal_that_drips_fails_each_attempt_after_the_attempt_timeout()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "application/json";
            for (var i = 0; i < 60 && !http.RequestAborted.IsCancellationRequested; i++)
            {
                await http.Response.WriteAsync(" ");
                await http.Response.Body.FlushAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }

            await http.Response.WriteAsync("""{"resultCode":"0300011","resultDesc":"file does not exist","resultData":""}""");
        });
        var client = HostileEndpoint.Client(endpoint, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.RetryAttempts = 1;
        });

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.DownloadAsync(FileName, new MemoryStream()));

        Assert.Equal(2, requests);
    }

    [Fact]
    public async Task An_upload_answer_whose_body_stalls_fails_after_the_attempt_timeout_once_its_headers_came()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("""{"resultCode":"0",""");
            await http.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
        });
        var client = HostileEndpoint.Client(endpoint, o => o.AttemptTimeout = TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn));

        Assert.Equal(1, requests);
    }
}
