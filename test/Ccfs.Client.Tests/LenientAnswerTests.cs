using System.Net;
using System.Text;
using Ccfs.Client;
using Ccfs.Protocol;

namespace Ccfs.Client.Tests;

/// <summary>
/// Success answers the spec allows, or that a real endpoint may send, read without throwing: locationId is only in
/// the documentation's example, and getFileHash's digest field is not documented at all.
/// </summary>
public sealed class LenientAnswerTests
{
    private const string Name = "Y:/3rdfile/53/thirdvoicebotfile/8fSsBaEb_1631869974029.wav";

    [Theory]
    [InlineData($$$"""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"{{{Name}}}"}}""")]
    [InlineData($$$"""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"{{{Name}}}","locationId":null}}""")]
    [InlineData($$$"""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"{{{Name}}}","locationId":true}}""")]
    public async Task An_upload_answered_without_location_ids_keeps_its_stored_name(string answer)
    {
        var response = await Answering(answer).UploadAsync(new MemoryStream(Samples.Sine), 53);

        Assert.True(response.IsSuccess);
        Assert.Equal(Name, response.Data!.FileName);
        Assert.Empty(response.Data.LocationIds);
    }

    [Fact]
    public async Task Location_ids_sent_as_numbers_or_as_one_string_are_read()
    {
        var numbers = await Answering($$$"""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"{{{Name}}}","locationId":[0,256]}}""")
            .UploadAsync(new MemoryStream(Samples.Sine), 53);
        var single = await Answering($$$"""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"{{{Name}}}","locationId":"256"}}""")
            .UploadAsync(new MemoryStream(Samples.Sine), 53);

        Assert.Equal(["0", "256"], numbers.Data!.LocationIds);
        Assert.Equal(["256"], single.Data!.LocationIds);
    }

    [Fact]
    public async Task A_result_code_sent_as_a_number_still_gives_the_stored_name()
    {
        var response = await Answering($$$"""{"resultCode":0,"resultDesc":{"text":"success"},"resultData":{"fileName":"{{{Name}}}"}}""")
            .UploadAsync(new MemoryStream(Samples.Sine), 53);

        Assert.True(response.IsSuccess);
        Assert.Equal("", response.ResultDesc);
        Assert.Equal(Name, response.Data!.FileName);
    }

    [Fact]
    public async Task A_success_without_a_file_name_throws_saying_so()
    {
        var error = await Assert.ThrowsAsync<CcfsRequestException>(() =>
            Answering("""{"resultCode":"0","resultDesc":"success","resultData":""}""").UploadAsync(new MemoryStream(Samples.Sine), 53));

        Assert.Contains("resultData.fileName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hash_answer_without_the_digest_field_has_no_hash_but_keeps_the_name()
    {
        var response = await Answering($$$"""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"{{{Name}}}","sha256":"ab"}}""")
            .GetFileHashAsync(Name);

        Assert.True(response.IsSuccess);
        Assert.Equal(new FileHash(Name, null), response.Data);
    }

    [Fact]
    public async Task A_hash_answer_without_a_file_name_is_about_the_file_asked_for()
    {
        var response = await Answering("""{"resultCode":"0","resultDesc":"success","resultData":{"digest":"5f0c"}}""", o => o.HashField = "digest")
            .GetFileHashAsync(Name);

        Assert.Equal(new FileHash(Name, "5f0c"), response.Data);
    }

    [Fact]
    public async Task A_spring_body_with_odd_types_still_throws_the_authentication_error()
    {
        var error = await Assert.ThrowsAsync<CcfsAuthenticationException>(() =>
            Answering("""{"timestamp":"yesterday","status":401,"error":401,"message":null,"path":["x"]}""", status: HttpStatusCode.Unauthorized)
                .DeleteAsync(Name));

        Assert.Equal(401, error.Status);
        Assert.Equal(new SpringError(0, 401, "401", "", ""), error.Error);
    }

    private static CcfsClient Answering(string json, Action<CcfsClientOptions>? configure = null, HttpStatusCode status = HttpStatusCode.OK)
    {
        var options = new CcfsClientOptions { AccessKey = "ak", SecretKey = "sk", RetryAttempts = 0 };
        configure?.Invoke(options);
        return new CcfsClient(new HttpClient(new CannedAnswer(status, json)) { BaseAddress = new Uri("http://127.0.0.1:8443") }, options);
    }
}

/// <summary>An endpoint that answers every request with the same status and JSON.</summary>
internal sealed class CannedAnswer(HttpStatusCode status, string json) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
}
