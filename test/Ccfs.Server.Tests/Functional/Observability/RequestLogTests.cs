using System.Net;
using Ccfs.Protocol;
using Ccfs.Server.Observability;
using Microsoft.Extensions.Logging.Testing;

namespace Ccfs.Server.Tests.Functional.Observability;

/// <summary>
/// Every request to the CC-FS interfaces and the admin API leaves exactly one line of the request log, with who asked,
/// what, the outcome and the reason sent in <c>X-Ccfs-Reason</c>, including the refusals that used to leave nothing.
/// </summary>
public sealed class RequestLogTests
{
    [Fact]
    public async Task A_stored_upload_leaves_one_information_line_with_key_vdn_and_file()
    {
        using var factory = new CcfsFactory();

        var (response, line) = await OneLineAsync(factory, () => factory.Signed().UploadAsync(Samples.Sine));

        var stored = await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal("uploadFile", line.GetStructuredStateValue("Interface"));
        Assert.Equal("0", line.GetStructuredStateValue("Outcome"));
        Assert.Equal(CcfsFactory.AccessKey, line.GetStructuredStateValue("AccessKey"));
        Assert.Equal("53", line.GetStructuredStateValue("Vdn"));
        Assert.Equal(stored.GetProperty("resultData").GetProperty("fileName").GetString(), line.GetStructuredStateValue("File"));
        Assert.Null(line.GetStructuredStateValue("Reason"));
    }

    [Fact]
    public async Task A_vdn_not_bound_to_the_key_leaves_one_warning_line_with_the_reason_the_client_got()
    {
        using var factory = new CcfsFactory();

        var (response, line) = await OneLineAsync(factory, () => factory.Signed().UploadAsync(Samples.Sine, vdnId: CcfsFactory.OtherVdn));

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal("HTTP 401", line.GetStructuredStateValue("Outcome"));
        Assert.Equal("54", line.GetStructuredStateValue("Vdn"));
        Assert.Equal("VdnNotBound: " + CcfsAnswer.Reason(response), line.GetStructuredStateValue("Reason"));
        Assert.Contains("access key test-ak is not bound to VDN 54", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ip_locked_request_leaves_one_line_naming_the_lock_and_the_address()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "1" });
        var client = factory.Signed();
        var fromAway = new SignOptions { AfterSigning = r => r.Headers.Add(CcfsFactory.ClientIpHeader, "198.51.100.41") };
        var (failure, failed) = await OneLineAsync(factory,
            () => client.UploadAsync(Samples.Sine, options: fromAway with { Credential = new(CcfsFactory.AccessKey, "wrong") }));

        var (locked, line) = await OneLineAsync(factory, () => client.HashAsync("Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav",
            options: fromAway));

        Assert.Equal(HttpStatusCode.Unauthorized, failure.StatusCode);
        Assert.StartsWith("SignatureMismatch: ", failed.GetStructuredStateValue("Reason"), StringComparison.Ordinal);
        await CcfsAnswer.AssertSpringAsync(locked, HttpStatusCode.Forbidden, CcfsPaths.GetFileHash);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal("getFileHash", line.GetStructuredStateValue("Interface"));
        Assert.Equal("HTTP 403", line.GetStructuredStateValue("Outcome"));
        Assert.Equal("198.51.100.41", line.GetStructuredStateValue("ClientIp"));
        Assert.Equal("IpLocked: " + CcfsAnswer.Reason(locked), line.GetStructuredStateValue("Reason"));
    }

    [Fact]
    public async Task Bodies_over_the_limit_leave_one_line_each_with_the_limit()
    {
        using var factory = CcfsFactory.With(new() { ["Ccfs:Parameters:UploadSizeLimitMb"] = "0.05" });
        var before = factory.Snapshot();

        var (upload, uploadLine) = await OneLineAsync(factory, () => factory.Signed().UploadAsync(Samples.ALawOfSize(200_000)));
        var (delete, deleteLine) = await OneLineAsync(factory, () => factory.Signed().PostAsync(CcfsPaths.DeleteFile,
            SignedClient.Envelope(SignedClient.MsgBody(("fileName", new string('a', 70_000))))));

        await CcfsAnswer.AssertTripleAsync(upload, "0300003", "The length of data is too long.");
        await CcfsAnswer.AssertTripleAsync(delete, "0300003", "The length of fileName is too long.");
        Assert.Equal(before, factory.Snapshot());
        Assert.Equal(("uploadFile", "0300003"), (uploadLine.GetStructuredStateValue("Interface"), uploadLine.GetStructuredStateValue("Outcome")));
        Assert.Equal(("deleteFile", "0300003"), (deleteLine.GetStructuredStateValue("Interface"), deleteLine.GetStructuredStateValue("Outcome")));
        Assert.Equal(CcfsAnswer.Reason(upload), uploadLine.GetStructuredStateValue("Reason"));
        Assert.Contains("-byte limit", deleteLine.GetStructuredStateValue("Reason"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hash_and_download_calls_leave_one_line_each()
    {
        using var factory = new CcfsFactory();
        var client = factory.Signed();
        var name = await client.StoreAsync(Samples.Sine);

        var (hash, hashLine) = await OneLineAsync(factory, () => client.HashAsync(name));
        var (download, downloadLine) = await OneLineAsync(factory, () => client.DownloadAsync(name));
        var (missing, missingLine) = await OneLineAsync(factory, () => client.HashAsync("Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav"));

        await CcfsAnswer.AssertTripleAsync(hash, "0", "success");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        await CcfsAnswer.AssertTripleAsync(missing, "0300011", "The file does not exist.");
        Assert.Equal(("getFileHash", "0", name), (hashLine.GetStructuredStateValue("Interface"), hashLine.GetStructuredStateValue("Outcome"),
            hashLine.GetStructuredStateValue("File")));
        Assert.Equal(("downloadFile", "0", name), (downloadLine.GetStructuredStateValue("Interface"), downloadLine.GetStructuredStateValue("Outcome"),
            downloadLine.GetStructuredStateValue("File")));
        Assert.Equal(("getFileHash", "0300011"), (missingLine.GetStructuredStateValue("Interface"), missingLine.GetStructuredStateValue("Outcome")));
    }

    [Fact]
    public async Task Admin_requests_leave_one_line_each_with_their_refusal()
    {
        using var factory = new CcfsFactory();

        var (notAdmin, notAdminLine) = await OneLineAsync(factory, () => factory.Signed().SendAsync(HttpMethod.Get, "/admin/api/parameters"));
        var (invalid, invalidLine) = await OneLineAsync(factory, () => factory.Admin().AdminAsync(HttpMethod.Post, "/admin/api/accounts", new { }));
        var (read, readLine) = await OneLineAsync(factory, () => factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/parameters"));

        Assert.Equal(HttpStatusCode.Unauthorized, notAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("HTTP 401", notAdminLine.GetStructuredStateValue("Outcome"));
        Assert.Equal("NotAdmin: access key test-ak is not an administrator", notAdminLine.GetStructuredStateValue("Reason"));
        Assert.Equal("HTTP 400", invalidLine.GetStructuredStateValue("Outcome"));
        Assert.False(string.IsNullOrEmpty(invalidLine.GetStructuredStateValue("Reason")));
        Assert.StartsWith("admin:", invalidLine.GetStructuredStateValue("Interface"), StringComparison.Ordinal);
        Assert.Equal(("HTTP 200", CcfsFactory.AdminAccessKey), (readLine.GetStructuredStateValue("Outcome"), readLine.GetStructuredStateValue("AccessKey")));
    }

    /// <summary>
    /// Sends one request and returns the one request-log line it left. The line is written once the answer is complete,
    /// which a client can see a moment before, so it is waited for (a bounded number of times).
    /// </summary>
    private static async Task<(HttpResponseMessage Response, FakeLogRecord Line)> OneLineAsync(CcfsFactory factory, Func<Task<HttpResponseMessage>> send)
    {
        var before = RequestLines(factory).Count;
        var response = await send();
        await response.Content.LoadIntoBufferAsync();
        for (var i = 0; i < 100 && RequestLines(factory).Count == before; i++)
        {
            await Task.Delay(20);
        }

        return (response, Assert.Single(RequestLines(factory).Skip(before)));
    }

    private static List<FakeLogRecord> RequestLines(CcfsFactory factory) => [.. factory.Logs.Where(l => l.Category == RequestLog.Category)];
}
