using System.Net;
using System.Security.Cryptography;
using Ccfs.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Ccfs.Client.Tests;

/// <summary>Every SDK method against the real server in-process, and every kind of answer.</summary>
public sealed class CcfsClientTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    [Fact]
    public async Task Upload_from_a_file_path_stores_the_file_and_names_it()
    {
        var path = TestData.Audio("valid", "alaw-8k-with-list-chunk.wav");

        var response = await ClientFixture.Client(factory).UploadAsync(path, CcfsFactory.Vdn);

        Assert.True(response.IsSuccess, response.Reason);
        Assert.Equal("success", response.ResultDesc);
        Assert.Matches("^Y:/3rdfile/53/thirdvoicebotfile/[A-Za-z0-9]{8}_[0-9]{13}\\.wav$", response.Data!.FileName);
        Assert.Equal(["0"], response.Data.LocationIds);
        Assert.Equal(await File.ReadAllBytesAsync(path), factory.ReadCopy(response.Data.FileName));
    }

    [Fact]
    public async Task Upload_reads_the_servers_prompt_check_findings()
    {
        var response = await ClientFixture.Client(factory).UploadAsync(TestData.Audio("lint", "prompt-quiet.wav"), CcfsFactory.Vdn);

        Assert.True(response.IsSuccess, response.Reason);
        var check = response.Data!.PromptCheck!;
        Assert.False(check.Passed);
        Assert.Equal(["quiet"], check.Failed);
        Assert.InRange(check.LevelDbov!.Value, -40.5, -39.5);
        Assert.Equal(0, check.ClippedRuns);
    }

    [Fact]
    public async Task An_upload_refused_for_its_prompt_check_still_carries_the_findings()
    {
        using var refusing = CcfsFactory.With(new() { ["Ccfs:Parameters:PromptCheck"] = "refuse" });

        var response = await ClientFixture.Client(refusing).UploadAsync(TestData.Audio("lint", "prompt-quiet.wav"), CcfsFactory.Vdn);

        Assert.Equal("0300004", response.ResultCode);
        Assert.Null(response.Data);
        Assert.Equal("quiet", response.PromptCheck?.Verdict);
        Assert.False(response.PromptCheck!.Passed);
    }

    [Fact]
    public async Task Upload_from_the_middle_of_a_seekable_stream_sends_the_rest_of_it()
    {
        var wav = Samples.Read("valid", "alaw-8k-extensible.wav");
        using var stream = new MemoryStream([.. new byte[100], .. wav]) { Position = 100 };

        var response = await ClientFixture.Client(factory).UploadAsync(stream, CcfsFactory.Vdn);

        Assert.True(response.IsSuccess, response.Reason);
        Assert.Equal(wav, factory.ReadCopy(response.Data!.FileName));
    }

    [Fact]
    public async Task Upload_from_a_stream_that_cannot_seek_is_buffered_and_sent()
    {
        var wav = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");

        var response = await ClientFixture.Client(factory).UploadAsync(new ForwardOnlyStream(wav), CcfsFactory.Vdn);

        Assert.True(response.IsSuccess, response.Reason);
        Assert.Equal(wav, factory.ReadCopy(response.Data!.FileName));
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_and_is_too_long_to_buffer_is_refused_before_anything_is_sent()
    {
        var counter = new FlakyHandler(0);
        var client = ClientFixture.Client(factory, o => o.MaxBufferedUploadBytes = 1000, counter);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.UploadAsync(new ForwardOnlyStream(Samples.Sine), 53));

        Assert.Contains("MaxBufferedUploadBytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, counter.Requests);
    }

    [Fact]
    public async Task A_refused_upload_is_a_result_with_the_code_and_the_reason()
    {
        var before = factory.Snapshot();

        var response = await ClientFixture.Client(factory).UploadAsync(TestData.Audio("invalid", "alaw-16k.wav"), CcfsFactory.Vdn);

        Assert.False(response.IsSuccess);
        Assert.Equal("0300004", response.ResultCode);
        Assert.Equal("The format of data is incorrect.", response.ResultDesc);
        Assert.Contains("16000 Hz", response.Reason, StringComparison.Ordinal);
        Assert.Null(response.Data);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_vdn_not_bound_to_the_key_throws_the_authentication_error_with_springs_body()
    {
        var error = await Assert.ThrowsAsync<CcfsAuthenticationException>(() =>
            ClientFixture.Client(factory).UploadAsync(TestData.Audio("valid", "alaw-8k-sine.wav"), CcfsFactory.OtherVdn));

        Assert.Equal(401, error.Status);
        Assert.Equal(401, error.Error!.Status);
        Assert.Equal("Unauthorized", error.Error.Error);
        Assert.Equal("/CCFS/resource/ccfs/ivr/uploadFile", error.Error.Path);
        Assert.Contains("not bound to VDN 54", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_key_throws_401_on_every_method()
    {
        var client = ClientFixture.Client(factory, o => o.SecretKey = "wrong");
        var name = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";

        Assert.Equal(401, (await Assert.ThrowsAsync<CcfsAuthenticationException>(() => client.UploadAsync(TestData.Audio("valid", "alaw-8k-sine.wav"), 53))).Status);
        Assert.Equal(401, (await Assert.ThrowsAsync<CcfsAuthenticationException>(() => client.DeleteAsync(name))).Status);
        Assert.Equal(401, (await Assert.ThrowsAsync<CcfsAuthenticationException>(() => client.GetFileHashAsync(name))).Status);
        Assert.Equal(401, (await Assert.ThrowsAsync<CcfsAuthenticationException>(() => client.DownloadAsync(name, new MemoryStream()))).Status);
    }

    [Fact]
    public async Task A_locked_address_throws_403()
    {
        using var strict = CcfsFactory.With(new() { ["Ccfs:Auth:IpLock:MaxFailures"] = "1" });
        await Assert.ThrowsAsync<CcfsAuthenticationException>(() => ClientFixture.Client(strict, o => o.SecretKey = "wrong")
            .GetFileHashAsync("Y:/3rdfile/53/thirdvoicebotfile/x.wav"));

        var error = await Assert.ThrowsAsync<CcfsAuthenticationException>(() => ClientFixture.Client(strict)
            .GetFileHashAsync("Y:/3rdfile/53/thirdvoicebotfile/x.wav"));

        Assert.Equal(403, error.Status);
        Assert.Equal("Forbidden", error.Error!.Error);
    }

    [Fact]
    public async Task Hash_download_and_delete_work_on_an_uploaded_file()
    {
        var client = ClientFixture.Client(factory);
        var wav = Samples.Read("valid", "alaw-8k-silence-fact-after-data.wav");
        var name = (await client.UploadAsync(new MemoryStream(wav), CcfsFactory.Vdn)).Data!.FileName;

        var hash = await client.GetFileHashAsync(name);
        var hashAt0 = await client.GetFileHashAsync(name, "0");
        using var downloaded = new MemoryStream();
        var download = await client.DownloadAsync(name, downloaded);
        var deleted = await client.DeleteAsync(name);
        var again = await client.DeleteAsync(name);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wav)), hash.Data!.Hash);
        Assert.Equal(name, hash.Data.FileName);
        Assert.Equal(hash.Data, hashAt0.Data);
        Assert.True(download.IsSuccess);
        Assert.Equal(wav, downloaded.ToArray());
        Assert.Equal(new DownloadedFile(name[(name.LastIndexOf('/') + 1)..], wav.Length), download.Data);
        Assert.True(deleted.IsSuccess);
        Assert.Equal(("0300011", "The file does not exist."), (again.ResultCode, again.ResultDesc));
    }

    [Fact]
    public async Task A_folder_download_returns_its_only_file()
    {
        factory.PutStored("voice/53/IVRrecordFile/sdk-call/only.wav", Samples.Sine);
        using var destination = new MemoryStream();

        var response = await ClientFixture.Client(factory).DownloadAsync("Y:/voice/53/IVRrecordFile/sdk-call", destination, folder: true);

        Assert.Equal("only.wav", response.Data!.FileName);
        Assert.Equal(Samples.Sine, destination.ToArray());
    }

    [Fact]
    public async Task A_failed_download_writes_nothing_to_the_destination()
    {
        using var destination = new MemoryStream();

        var response = await ClientFixture.Client(factory).DownloadAsync("Y:/voice/53/IVRrecordFile/none.wav", destination);

        Assert.Equal("0300011", response.ResultCode);
        Assert.Null(response.Data);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task An_unknown_location_is_a_result_not_an_exception()
    {
        var response = await ClientFixture.Client(factory).GetFileHashAsync("Y:/3rdfile/53/thirdvoicebotfile/x.wav", "7");

        Assert.Equal(("0300004", "The format of locationId is incorrect."), (response.ResultCode, response.ResultDesc));
    }

    [Theory]
    [InlineData(false, "host")]
    [InlineData(true, "content-type;host")]
    [InlineData(false, "content-length;content-type;host")]
    public async Task Timestamps_and_signed_headers_are_the_callers_choice(bool milliseconds, string signedHeaders)
    {
        var client = ClientFixture.Client(factory, o =>
        {
            o.MillisecondTimestamps = milliseconds;
            o.SignedHeaders = signedHeaders.Split(';');
        });

        var response = await client.UploadAsync(TestData.Audio("valid", "alaw-8k-sine.wav"), CcfsFactory.Vdn);

        Assert.True(response.IsSuccess, response.Reason);
    }

    [Fact]
    public async Task Hash_is_retried_after_a_transient_failure()
    {
        var flaky = new FlakyHandler(2);
        var client = ClientFixture.Client(factory, inFront: flaky);
        var name = (await ClientFixture.Client(factory).UploadAsync(new MemoryStream(Samples.Sine), 53)).Data!.FileName;

        var response = await client.GetFileHashAsync(name);

        Assert.True(response.IsSuccess);
        Assert.Equal(3, flaky.Requests);
    }

    [Fact]
    public async Task Download_and_delete_are_retried_after_503()
    {
        var flaky = new FlakyHandler(1, () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        var client = ClientFixture.Client(factory, inFront: flaky);
        var name = (await ClientFixture.Client(factory).UploadAsync(new MemoryStream(Samples.Sine), 53)).Data!.FileName;

        var download = await client.DownloadAsync(name, new MemoryStream());
        var delete = await client.DeleteAsync(name);

        Assert.True(download.IsSuccess);
        Assert.True(delete.IsSuccess);
        Assert.Equal(3, flaky.Requests);
    }

    [Fact]
    public async Task An_upload_is_not_retried_unless_the_caller_asks()
    {
        var once = new FlakyHandler(1);
        var twice = new FlakyHandler(1);
        var client = ClientFixture.Client(factory, inFront: once);
        var retrying = ClientFixture.Client(factory, o => o.RetryUploads = true, twice);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.UploadAsync(TestData.Audio("valid", "alaw-8k-sine.wav"), 53));
        var retried = await retrying.UploadAsync(TestData.Audio("valid", "alaw-8k-sine.wav"), 53);

        Assert.Equal(1, once.Requests);
        Assert.Equal(2, twice.Requests);
        Assert.True(retried.IsSuccess);
    }

    [Fact]
    public async Task An_answer_that_is_not_cc_fs_shaped_throws_with_the_status()
    {
        var proxy = new FlakyHandler(1, () => new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("<html>bad</html>") });
        var client = ClientFixture.Client(factory, inFront: proxy);

        var error = await Assert.ThrowsAsync<CcfsRequestException>(() => client.GetFileHashAsync("Y:/3rdfile/53/thirdvoicebotfile/x.wav"));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task The_client_resolves_from_dependency_injection()
    {
        var services = new ServiceCollection();
        services.AddCcfsClient(o =>
        {
            o.Endpoint = new Uri("http://localhost");
            o.AccessKey = CcfsFactory.AccessKey;
            o.SecretKey = CcfsFactory.SecretKey;
            o.TimeProvider = factory.Time;
        }).ConfigurePrimaryHttpMessageHandler(() => factory.Server.CreateHandler());
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<CcfsClient>().UploadAsync(TestData.Audio("valid", "alaw-8k-sine.wav"), 53);

        Assert.True(response.IsSuccess, response.Reason);
    }

    /// <summary>A stream that can only be read forwards, like a network body.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
