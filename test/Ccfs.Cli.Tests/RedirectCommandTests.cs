using Microsoft.AspNetCore.Http;

namespace Ccfs.Cli.Tests;

/// <summary>A redirect is an answer from outside CC-FS: ccfs names where it pointed, sends nothing there and exits 4.</summary>
public sealed class RedirectCommandTests
{
    [Fact]
    public async Task An_upload_redirected_to_another_origin_exits_4_naming_the_location_and_sends_nothing_there()
    {
        var elsewhereRequests = 0;
        await using var elsewhere = await FakeEndpoint.StartAsync(http =>
        {
            Interlocked.Increment(ref elsewhereRequests);
            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync("""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"Y:/elsewhere.wav"}}""");
        });
        var location = elsewhere.Endpoint + "/CCFS/resource/ccfs/ivr/uploadFile?vdnId=53";
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
        {
            http.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            http.Response.Headers.Location = location;
            return Task.CompletedTask;
        });

        var result = await Cli.RunAsync(endpoint.Environment(), "upload", TestData.Audio("valid", "alaw-8k-sine.wav"));

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains(location, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("elsewhere.wav", result.Out, StringComparison.Ordinal);
        Assert.Equal(0, elsewhereRequests);
    }

    [Fact]
    public async Task A_healthcheck_answered_by_a_redirect_exits_4_naming_the_location_not_1()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
        {
            http.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            http.Response.Headers.Location = "https://ccfs.example/readyz";
            return http.Response.WriteAsync("<html>moved</html>");
        });

        var result = await Cli.RunAsync(endpoint.Environment(), "healthcheck", endpoint.Endpoint);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("HTTP 301, a redirect to https://ccfs.example/readyz", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not ready", result.Error, StringComparison.Ordinal);
    }
}
