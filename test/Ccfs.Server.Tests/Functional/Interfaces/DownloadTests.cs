using System.Net;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>
/// downloadFile in single-location and in pool mode: uploaded prompts and IVR recordings placed in a location, files and
/// one-file folders. The refusals every path interface shares are in <see cref="PathRequestRefusalTests"/>.
/// </summary>
public abstract class DownloadTests(CcfsFactory factory)
{
    /// <summary>The server under test, for the tests of one mode.</summary>
    protected CcfsFactory Factory => factory;

    [Fact]
    public async Task An_uploaded_prompt_comes_back_byte_for_byte_with_the_documented_headers()
    {
        var wav = Samples.Read("valid", "alaw-8k-with-list-chunk.wav");
        var fileName = await factory.Signed().StoreAsync(wav);

        var response = await factory.Signed().DownloadAsync(fileName);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Application/Octet-stream;charset=UTF-8", response.Content.Headers.NonValidated["Content-Type"].ToString());
        Assert.Equal(wav.Length, response.Content.Headers.ContentLength);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal(fileName[(fileName.LastIndexOf('/') + 1)..], response.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Equal(wav, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_recording_placed_in_the_location_is_served()
    {
        var recording = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");
        PlaceRecording("voice/53/IVRrecordFile/20261124/1795512345678-record.wav", recording);

        var response = await factory.Signed().DownloadAsync("Y:/voice/53/IVRrecordFile/20261124/1795512345678-record.wav");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(recording, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData("1")]
    public async Task Mode_1_serves_the_single_file_of_a_folder(object mode)
    {
        var recording = Samples.Read("valid", "alaw-8k-silence-fact-after-data.wav");
        PlaceRecording("3rdfile/53/IVRrecordFile/call-one/only.wav", recording);
        PlaceRecording("3rdfile/53/IVRrecordFile/call-one/.hidden", [1, 2, 3]);

        var response = await factory.Signed().DownloadAsync("Y:/3rdfile/53/IVRrecordFile/call-one", mode);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("only.wav", response.Content.Headers.ContentDisposition!.FileNameStar);
        Assert.Equal(recording, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Mode_1_with_an_empty_or_missing_folder_is_0300011()
    {
        factory.MakeFolder("voice/53/IVRrecordFile/empty");

        await Factory.AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/empty", 1), "0300011", "The file does not exist.");
        await Factory.AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/none", 1), "0300011", "The file does not exist.");
    }

    [Fact]
    public async Task Mode_1_with_two_files_is_0300004()
    {
        PlaceRecording("voice/53/IVRrecordFile/two/a.wav", Samples.Sine);
        PlaceRecording("voice/53/IVRrecordFile/two/b.wav", Samples.Sine);

        await Factory.AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/two/", 1), "0300004", "The format of filePath is incorrect.");
    }

    [Fact]
    public async Task Any_other_mode_reads_the_path_as_a_file()
    {
        PlaceRecording("voice/53/IVRrecordFile/modes/a.wav", Samples.Sine);

        var asFile = await factory.Signed().DownloadAsync("Y:/voice/53/IVRrecordFile/modes/a.wav", 2);

        Assert.Equal(Samples.Sine, await asFile.Content.ReadAsByteArrayAsync());
        await Factory.AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/modes", 0), "0300011", "The file does not exist.");
    }

    [Theory]
    [InlineData("\"x\"")]
    [InlineData("1.5")]
    [InlineData("true")]
    [InlineData("[1]")]
    public async Task A_mode_that_is_not_an_integer_is_0300004(string mode)
    {
        var body = SignedClient.Envelope($$"""{"filePath":"Y:/voice/53/IVRrecordFile/a.wav","mode":{{mode}}}""");

        await Factory.AssertRefusedAsync(c => c.PostAsync(CcfsPaths.DownloadFile, body), "0300004", "The format of mode is incorrect.");
    }

    [Theory]
    [InlineData("Y:/voice/53/IVRrecordFile/nothing.wav")]
    [InlineData("Y:/voice/53/IVRrecordFile/20261124/nothing.wav")]
    [InlineData("Y:/3rdfile/53/IVRrecordFile/nothing.wav")]
    public async Task A_recording_in_no_location_is_0300011(string filePath)
    {
        await Factory.AssertRefusedAsync(c => c.DownloadAsync(filePath), "0300011", "The file does not exist.");
    }

    [Fact]
    public async Task Another_tenants_recording_is_401_and_stays()
    {
        PlaceRecording("voice/54/IVRrecordFile/theirs.wav", Samples.Sine);
        var before = factory.Snapshot();

        var response = await factory.Signed().DownloadAsync("Y:/voice/54/IVRrecordFile/theirs.wav");

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, CcfsPaths.DownloadFile);
        Assert.Equal(before, factory.Snapshot());
    }

    protected void PlaceRecording(string relativePath, byte[] bytes, string location = "0") => factory.PutStored(relativePath, bytes, location);
}

public sealed class SingleLocationDownloadTests(CcfsFactory factory) : DownloadTests(factory), IClassFixture<CcfsFactory>
{
    [Fact]
    public async Task Past_the_per_account_limit_the_answer_is_0300008()
    {
        using var limited = CcfsFactory.With(new() { ["Ccfs:Limits:Download:PermitLimit"] = "1", ["Ccfs:Limits:Download:Window"] = "01:00:00" });
        var fileName = await limited.Signed().StoreAsync(Samples.Sine);

        var first = await limited.Signed().DownloadAsync(fileName);
        var second = await limited.Signed().DownloadAsync(fileName);

        Assert.Equal(Samples.Sine, await first.Content.ReadAsByteArrayAsync());
        await CcfsAnswer.AssertTripleAsync(second, "0300008", "Reached the download flow control threshold.");
    }
}

/// <summary>With mode 1, locations are searched in order and the first whose folder holds a file decides.</summary>
public sealed class PoolDownloadTests(PoolFactory factory) : DownloadTests(factory), IClassFixture<PoolFactory>
{
    [Fact]
    public async Task Mode_1_serves_the_one_file_of_a_folder_that_is_empty_in_location_0_but_not_in_256()
    {
        var recording = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");
        Factory.MakeFolder("voice/53/IVRrecordFile/call-256", "0");
        PlaceRecording("voice/53/IVRrecordFile/call-256/only.wav", recording, location: "256");

        var response = await Factory.Signed().DownloadAsync("Y:/voice/53/IVRrecordFile/call-256", 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("only.wav", response.Content.Headers.ContentDisposition!.FileNameStar);
        Assert.Equal(recording, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Mode_1_with_two_files_in_location_256_is_0300004()
    {
        Factory.MakeFolder("voice/53/IVRrecordFile/two-256", "0");
        PlaceRecording("voice/53/IVRrecordFile/two-256/a.wav", Samples.Sine, location: "256");
        PlaceRecording("voice/53/IVRrecordFile/two-256/b.wav", Samples.Sine, location: "256");

        await Factory.AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/two-256", 1), "0300004", "The format of filePath is incorrect.");
    }

    [Fact]
    public async Task Mode_1_with_the_folder_empty_in_every_location_is_0300011()
    {
        foreach (var location in Factory.LocationIds)
        {
            Factory.MakeFolder("voice/53/IVRrecordFile/empty-everywhere", location);
        }

        await Factory.AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/empty-everywhere", 1), "0300011", "The file does not exist.");
    }

    [Fact]
    public async Task A_prompt_whose_location_0_copy_is_gone_is_served_from_256()
    {
        var wav = Samples.Read("valid", "alaw-8k-extensible.wav");
        var fileName = await Factory.Signed().StoreAsync(wav);
        await CcfsAnswer.AssertTripleAsync(await Factory.Signed().DeleteAsync(fileName, "0"), "0", "success");

        var response = await Factory.Signed().DownloadAsync(fileName);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(wav, await response.Content.ReadAsByteArrayAsync());
    }
}
