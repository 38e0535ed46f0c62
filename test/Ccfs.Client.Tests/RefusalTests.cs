using Ccfs.Client;

namespace Ccfs.Client.Tests;

/// <summary>The refusals the SDK reports as results, and the HTTP errors it throws, from the real server.</summary>
public sealed class RefusalTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    private const string Traversal = "Y:/3rdfile/53/thirdvoicebotfile/../../../etc/passwd";

    [Fact]
    public async Task A_file_over_the_size_limit_is_0300003_and_nothing_is_stored()
    {
        using var small = CcfsFactory.With(new() { ["Ccfs:Parameters:UploadSizeLimitMb"] = "0.05" });
        var before = small.Snapshot();

        var response = await ClientFixture.Client(small).UploadAsync(new MemoryStream(Samples.ALawOfSize(52_429)), CcfsFactory.Vdn);

        Assert.Equal(("0300003", "The length of data is too long."), (response.ResultCode, response.ResultDesc));
        Assert.Null(response.Data);
        Assert.Equal(before, small.Snapshot());
    }

    [Fact]
    public async Task A_path_outside_the_rules_is_0300004_for_delete_hash_and_download()
    {
        var client = ClientFixture.Client(factory);
        using var destination = new MemoryStream();

        var delete = await client.DeleteAsync(Traversal);
        var hash = await client.GetFileHashAsync(Traversal);
        var download = await client.DownloadAsync(Traversal, destination);

        Assert.Equal(("0300004", "The format of fileName is incorrect."), (delete.ResultCode, delete.ResultDesc));
        Assert.Equal(("0300004", "The format of fileName is incorrect."), (hash.ResultCode, hash.ResultDesc));
        Assert.Equal(("0300004", "The format of filePath is incorrect."), (download.ResultCode, download.ResultDesc));
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task A_folder_download_of_an_empty_folder_is_0300011_and_of_two_files_0300004()
    {
        factory.MakeFolder("voice/53/IVRrecordFile/sdk-empty");
        factory.PutStored("voice/53/IVRrecordFile/sdk-two/a.wav", Samples.Sine);
        factory.PutStored("voice/53/IVRrecordFile/sdk-two/b.wav", Samples.Sine);
        var client = ClientFixture.Client(factory);
        using var destination = new MemoryStream();

        var none = await client.DownloadAsync("Y:/voice/53/IVRrecordFile/sdk-empty", destination, folder: true);
        var several = await client.DownloadAsync("Y:/voice/53/IVRrecordFile/sdk-two", destination, folder: true);

        Assert.Equal("0300011", none.ResultCode);
        Assert.Equal(("0300004", "The format of filePath is incorrect."), (several.ResultCode, several.ResultDesc));
        Assert.Contains("2 files", several.Reason, StringComparison.Ordinal);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_request_exception_with_springs_body()
    {
        var client = ClientFixture.Client(factory, inFront: new Rewrite(r => r.RequestUri = new Uri(r.RequestUri!, "/CCFS/resource/ccfs/ivr/getFileHashes")));

        var error = await Assert.ThrowsAsync<CcfsRequestException>(() => client.GetFileHashAsync("Y:/3rdfile/53/thirdvoicebotfile/x.wav"));

        Assert.IsNotType<CcfsAuthenticationException>(error);
        Assert.Equal(404, error.Status);
        Assert.Equal((404, "/CCFS/resource/ccfs/ivr/getFileHashes"), (error.Error!.Status, error.Error.Path));
    }

    [Fact]
    public async Task A_method_the_interface_does_not_take_is_a_405_request_exception()
    {
        var client = ClientFixture.Client(factory, inFront: new Rewrite(r => r.Method = HttpMethod.Put));

        var error = await Assert.ThrowsAsync<CcfsRequestException>(() => client.DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/x.wav"));

        Assert.Equal(405, error.Status);
        Assert.Equal(405, error.Error!.Status);
    }

    /// <summary>Changes each request on its way, like a misconfigured proxy.</summary>
    private sealed class Rewrite(Action<HttpRequestMessage> change) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            change(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
