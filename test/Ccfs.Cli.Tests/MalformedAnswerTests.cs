using System.Text.Json;
using Ccfs.Cli.Conformance;
using Microsoft.AspNetCore.Http;

namespace Ccfs.Cli.Tests;

/// <summary>
/// <c>ccfs conformance</c> against an endpoint whose answers have members of the wrong JSON type: every check is
/// still reported, those answers fail their checks with the reason, and the command exits 1.
/// </summary>
public sealed class MalformedAnswerTests
{
    private const string Stored = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";

    [Fact]
    public async Task Answers_of_the_wrong_types_fail_their_checks_and_every_check_is_reported()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(AnswerAsync);
        using var http = new HttpClient();
        var suite = Suite(http, endpoint);

        var results = await suite.RunAsync(full: true, _ => Task.CompletedTask);

        Assert.Equal(suite.Checks.Select(c => c.Name), results.Select(r => r.Name));
        var byName = results.ToDictionary(r => r.Name);
        Assert.Equal(CheckStatus.Pass, byName["upload.stores-a-prompt"].Status);
        Assert.Equal(CheckStatus.Fail, byName["hash.of-the-stored-bytes"].Status);
        Assert.Contains("resultData.hash is 5, a Number, not a String", byName["hash.of-the-stored-bytes"].Error, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, byName["delete.removes-the-file"].Status);
        Assert.Contains("resultCode 0 (a Number, not a String)", byName["delete.removes-the-file"].Error, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, byName["download.filePath-missing-0300001"].Status);
        Assert.Contains("""resultCode ["0300007"] (a Array, not a String), resultDesc 7""", byName["download.filePath-missing-0300001"].Error,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_command_prints_a_line_for_every_check_and_exits_1()
    {
        await using var endpoint = await FakeEndpoint.StartAsync(AnswerAsync);
        using var http = new HttpClient();
        var coreChecks = Suite(http, endpoint).Checks.Count(c => c.Core);

        var (code, output, error) = await Cli.RunAsync(endpoint.Environment(), "conformance");

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal(coreChecks, lines.Count);
        Assert.Contains(lines, l => l.GetProperty("name").GetString() == "delete.removes-the-file" && l.GetProperty("status").GetString() == "FAIL");
        Assert.Contains("failed", error, StringComparison.Ordinal);
    }

    private static ConformanceSuite Suite(HttpClient http, FakeEndpoint endpoint) =>
        new(new ConformanceRequests(http, new ConnectionSettings(new Uri(endpoint.Endpoint), CcfsFactory.AccessKey, CcfsFactory.SecretKey,
            CcfsFactory.Vdn, false, null, TimeSpan.FromSeconds(30))), CcfsFactory.Vdn, 2147483646);

    /// <summary>Uploads succeed as CC-FS answers them; hash, delete and the rest answer with members of the wrong type.</summary>
    private static Task AnswerAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var json = path.EndsWith("/uploadFile", StringComparison.Ordinal) || path.EndsWith("/upload", StringComparison.Ordinal)
            ? $$$"""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"{{{Stored}}}","locationId":["0"]}}"""
            : path.EndsWith("/getFileHash", StringComparison.Ordinal)
                ? $$$"""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"{{{Stored}}}","hash":5}}"""
                : path.EndsWith("/deleteFile", StringComparison.Ordinal)
                    ? """{"resultCode":0,"resultDesc":"success","resultData":""}"""
                    : """{"resultCode":["0300007"],"resultDesc":7,"resultData":""}""";
        http.Response.ContentType = "application/json;charset=UTF-8";
        return http.Response.WriteAsync(json);
    }
}
