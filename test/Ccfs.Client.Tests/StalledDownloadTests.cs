using Ccfs.Client;
using Microsoft.AspNetCore.Http;
using Polly.Timeout;

namespace Ccfs.Client.Tests;

/// <summary>
/// A file's body has <see cref="CcfsClientOptions.AttemptTimeout"/> for each wait for bytes, not for the whole
/// transfer: a body that stops fails its attempt and is retried, one that keeps coming may take as long as it needs.
/// </summary>
public sealed class StalledDownloadTests
{
    private const string FileName = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";

    [Fact]
    public async Task A_file_whose_body_stops_fails_each_attempt_and_the_destination_is_left_as_it_was()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "Application/Octet-stream;charset=UTF-8";
            http.Response.ContentLength = 1000;
            await http.Response.Body.WriteAsync(Samples.Sine.AsMemory(0, 10));
            await http.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
        });
        var client = HostileEndpoint.Client(endpoint, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.RetryAttempts = 2;
        });
        using var destination = new MemoryStream();
        destination.Write("kept"u8);

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.DownloadAsync(FileName, destination));

        Assert.Equal(3, requests);
        Assert.Equal("kept"u8.ToArray(), destination.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_file_that_drips_slower_than_the_floor_fails_its_attempt_though_no_wait_is_long(bool seekable)
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "Application/Octet-stream;charset=UTF-8";
            http.Response.ContentLength = Samples.Sine.Length;
            // About 50 bytes a second for 10 s, then nothing: without a floor, only the stop would fail the attempt. Each
            // wait is far shorter than the attempt timeout, so a loaded machine does not turn the drip into a stop.
            for (var at = 0; at < 500; at++)
            {
                await http.Response.Body.WriteAsync(Samples.Sine.AsMemory(at, 1), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(TimeSpan.FromMilliseconds(20), http.RequestAborted);
            }

            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
        });
        var client = HostileEndpoint.Client(endpoint, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(3);
            o.RetryAttempts = 1;
        });
        using var destination = seekable ? new MemoryStream() : new ForwardOnly();

        var failure = seekable
            ? await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.DownloadAsync(FileName, destination)) as Exception
            : await Assert.ThrowsAsync<TimeoutException>(() => client.DownloadAsync(FileName, destination));

        Assert.Contains("slower than MinDownloadBytesPerSecond (1024)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(seekable ? 2 : 1, requests);
        if (seekable)
        {
            Assert.Equal(0, destination.Length);
        }
    }

    [Fact]
    public async Task A_file_that_keeps_coming_is_written_whole_though_it_takes_longer_than_the_attempt_timeout()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            http.Response.ContentType = "Application/Octet-stream;charset=UTF-8";
            http.Response.ContentLength = Samples.Sine.Length;
            var piece = (Samples.Sine.Length + 9) / 10;
            for (var at = 0; at < Samples.Sine.Length; at += piece)
            {
                await http.Response.Body.WriteAsync(Samples.Sine.AsMemory(at, Math.Min(piece, Samples.Sine.Length - at)));
                await http.Response.Body.FlushAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(300));
            }
        });
        var client = HostileEndpoint.Client(endpoint, o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.RetryAttempts = 0;
        });
        using var destination = new MemoryStream();

        var response = await client.DownloadAsync(FileName, destination);

        Assert.True(response.IsSuccess);
        Assert.Equal(Samples.Sine, destination.ToArray());
    }

    [Fact]
    public async Task A_stalled_file_into_a_stream_that_cannot_seek_is_not_sent_again()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.ContentType = "audio/wav";
            http.Response.ContentLength = 1000;
            await http.Response.Body.WriteAsync(Samples.Sine.AsMemory(0, 10));
            await http.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted);
        });
        var client = HostileEndpoint.Client(endpoint, o => o.AttemptTimeout = TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<TimeoutException>(() => client.DownloadAsync(FileName, new ForwardOnly()));

        Assert.Equal(1, requests);
    }

    private sealed class ForwardOnly : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
