using System.Text;
using Ccfs.Client;
using Microsoft.AspNetCore.Http;

namespace Ccfs.Client.Tests;

/// <summary>
/// Only a file is written to the destination: 200 with the file's type (CC-FS's Application/Octet-stream, or audio/*)
/// and a body that is not a JSON answer. Anything else is an answer, and one that is not CC-FS's throws.
/// </summary>
public sealed class DownloadAnswerTests
{
    private const string FileName = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";

    [Fact]
    public async Task A_json_success_without_a_file_throws_and_writes_nothing()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
            HostileEndpoint.AnswerAsync(http, """{"resultCode":"0","resultDesc":"success","resultData":""}"""));
        using var destination = new MemoryStream();

        var refused = await Assert.ThrowsAsync<CcfsRequestException>(() => HostileEndpoint.Client(endpoint).DownloadAsync(FileName, destination));

        Assert.Contains("without the file", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task A_proxys_html_page_with_200_is_not_a_file()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(http => HostileEndpoint.AnswerAsync(http,
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
            "text/html"));
        using var destination = new MemoryStream();

        var refused = await Assert.ThrowsAsync<CcfsRequestException>(() => HostileEndpoint.Client(endpoint).DownloadAsync(FileName, destination));

        Assert.Equal(200, refused.Status);
        Assert.Contains("text/html", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/octet-stream")]
    public async Task A_cc_fs_refusal_without_a_json_type_is_read_as_the_refusal(string? contentType)
    {
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
            HostileEndpoint.AnswerAsync(http, """{"resultCode":"0300011","resultDesc":"file does not exist","resultData":""}""", contentType));
        using var destination = new MemoryStream();

        var response = await HostileEndpoint.Client(endpoint).DownloadAsync(FileName, destination);

        Assert.Equal("0300011", response.ResultCode);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task An_empty_body_of_the_files_type_is_not_a_file()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(http =>
        {
            http.Response.ContentType = "Application/Octet-stream;charset=UTF-8";
            return Task.CompletedTask;
        });

        var refused = await Assert.ThrowsAsync<CcfsRequestException>(() => HostileEndpoint.Client(endpoint).DownloadAsync(FileName, new MemoryStream()));

        Assert.Contains("empty body", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Application/Octet-stream;charset=UTF-8")]
    [InlineData("audio/wav")]
    public async Task A_file_of_either_type_is_written_whole(string contentType)
    {
        await using var endpoint = await FakeEndpoint.StartAsync(async http =>
        {
            http.Response.ContentType = contentType;
            await http.Response.Body.WriteAsync(Samples.Sine);
        });
        using var destination = new MemoryStream();

        var response = await HostileEndpoint.Client(endpoint).DownloadAsync(FileName, destination);

        Assert.True(response.IsSuccess);
        Assert.Equal(Samples.Sine, destination.ToArray());
        Assert.Equal(Samples.Sine.Length, response.Data!.Length);
        Assert.StartsWith("RIFF", Encoding.ASCII.GetString(Samples.Sine, 0, 4), StringComparison.Ordinal);
    }
}
