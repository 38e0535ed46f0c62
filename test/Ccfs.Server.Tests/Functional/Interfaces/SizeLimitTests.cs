using System.Net;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>A server whose size parameter is 0.05 MB (52,428 decoded bytes).</summary>
public sealed class SmallLimitFactory() : CcfsFactory(new() { ["Ccfs:Parameters:UploadSizeLimitMb"] = "0.05" })
{
    public const int LimitBytes = 52_428;
}

public sealed class SizeLimitTests(SmallLimitFactory factory) : IClassFixture<SmallLimitFactory>
{
    private const string TooLong = "The length of data is too long.";

    [Fact]
    public async Task A_file_of_exactly_the_limit_is_stored()
    {
        var response = await factory.Signed().UploadAsync(Samples.ALawOfSize(SmallLimitFactory.LimitBytes));

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
    }

    [Fact]
    public async Task A_declared_body_over_the_limit_is_0300003_without_reading_it_and_closes_the_connection()
    {
        var before = factory.Snapshot();

        var response = await factory.Signed().UploadAsync(Samples.ALawOfSize(3 * SmallLimitFactory.LimitBytes));

        await CcfsAnswer.AssertTripleAsync(response, "0300003", TooLong);
        Assert.True(response.Headers.ConnectionClose);
        Assert.EndsWith($"the upload size limit is {SmallLimitFactory.LimitBytes} bytes of WAV", CcfsAnswer.Reason(response), StringComparison.Ordinal);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_0300003()
    {
        var before = factory.Snapshot();
        var body = SignedClient.UploadBody(Samples.ALawOfSize(3 * SmallLimitFactory.LimitBytes));

        var response = await factory.Signed().PostAsync(CcfsPaths.UploadFile + "?vdnId=53", body, new()
        {
            SignedHeaders = ["content-type", "host"],
            AfterSigning = r => r.Content = Chunked(body),
        });

        await CcfsAnswer.AssertTripleAsync(response, "0300003", TooLong);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_chunked_body_within_the_limit_is_stored()
    {
        var body = SignedClient.UploadBody(Samples.Sine);

        var response = await factory.Signed().PostAsync(CcfsPaths.UploadFile + "?vdnId=53", body, new()
        {
            SignedHeaders = ["content-type", "host"],
            AfterSigning = r => r.Content = Chunked(body),
        });

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
    }

    [Fact]
    public async Task A_body_within_its_limit_whose_file_decodes_over_the_limit_is_0300003()
    {
        var before = factory.Snapshot();
        var wav = Samples.ALawOfSize(SmallLimitFactory.LimitBytes + 1);

        var response = await factory.Signed().UploadAsync(wav);

        await CcfsAnswer.AssertTripleAsync(response, "0300003", TooLong);
        Assert.Contains($"{wav.Length} bytes", CcfsAnswer.Reason(response), StringComparison.Ordinal);
        Assert.Equal(before, factory.Snapshot());
    }

    private static StreamContent Chunked(byte[] body)
    {
        var content = new StreamContent(new NonSeekableStream(body));
        content.Headers.ContentType = new("application/json") { CharSet = "UTF-8" };
        return content;
    }

    /// <summary>A stream that will not tell its length, so the client has to send the body chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
