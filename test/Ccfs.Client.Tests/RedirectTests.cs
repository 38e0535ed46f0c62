using System.Net;
using Ccfs.Client;
using Microsoft.AspNetCore.Http;

namespace Ccfs.Client.Tests;

/// <summary>
/// A signed CC-FS request is never sent anywhere but the endpoint: a 3xx is an answer from outside CC-FS that names
/// where it pointed, and the other origin gets nothing.
/// </summary>
public sealed class RedirectTests
{
    [Theory]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    [InlineData(HttpStatusCode.Found)]
    public async Task An_upload_redirected_elsewhere_is_not_followed_and_the_exception_names_the_location(HttpStatusCode status)
    {
        var elsewhereRequests = 0;
        await using var elsewhere = await FakeEndpoint.StartAsync(http =>
        {
            Interlocked.Increment(ref elsewhereRequests);
            return HostileEndpoint.AnswerAsync(http, """{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"Y:/elsewhere.wav"}}""");
        });
        var location = elsewhere.Endpoint + "/CCFS/resource/ccfs/ivr/uploadFile?vdnId=53";
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
        {
            http.Response.StatusCode = (int)status;
            http.Response.Headers.Location = location;
            return Task.CompletedTask;
        });

        var refused = await Assert.ThrowsAsync<CcfsRequestException>(() =>
            HostileEndpoint.Client(endpoint).UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn));

        Assert.Equal((int)status, refused.Status);
        Assert.Contains(location, refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, elsewhereRequests);
    }

    [Fact]
    public async Task A_retried_request_redirected_is_neither_followed_nor_retried()
    {
        var requests = 0;
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
        {
            Interlocked.Increment(ref requests);
            http.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            http.Response.Headers.Location = "/somewhere-else";
            return Task.CompletedTask;
        });

        var refused = await Assert.ThrowsAsync<CcfsRequestException>(() => HostileEndpoint.Client(endpoint).GetFileHashAsync("Y:/3rdfile/53/thirdvoicebotfile/a.wav"));

        Assert.Contains("/somewhere-else", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task A_redirect_followed_by_the_callers_own_http_client_is_refused_rather_than_read_as_the_answer()
    {
        await using var elsewhere = await FakeEndpoint.StartAsync(http =>
            HostileEndpoint.AnswerAsync(http, """{"resultCode":"0","resultDesc":"success","resultData":""}"""));
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
        {
            http.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            http.Response.Headers.Location = elsewhere.Endpoint + "/CCFS/resource/ccfs/ivr/deleteFile";
            return Task.CompletedTask;
        });
        using var following = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true }) { BaseAddress = new Uri(endpoint.Endpoint) };
        var client = new CcfsClient(following, new CcfsClientOptions { AccessKey = CcfsFactory.AccessKey, SecretKey = CcfsFactory.SecretKey });

        var refused = await Assert.ThrowsAsync<CcfsRequestException>(() => client.DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/a.wav"));

        Assert.Contains(elsewhere.Endpoint, refused.Message, StringComparison.Ordinal);
    }
}
