using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Ccfs.Server.Storage.S3;

namespace Ccfs.Server.Tests.Unit.Storage.S3;

/// <summary>
/// Which failures of a store are transient (the same call may succeed a moment later, so a node still starts) and which
/// are refusals that stay until the configuration changes (so a node does not start), from the SDK's own exceptions.
/// </summary>
public sealed class S3StoreExceptionTests
{
    private static readonly S3LocationSettings Settings = new(new Uri("http://127.0.0.1:9/"), "voice", "ccfs/", "ak", "sk", "us-east-1",
        ForcePathStyle: true, TimeSpan.FromSeconds(10));

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "AccessDenied", false)]
    [InlineData(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", false)]
    [InlineData(HttpStatusCode.NotFound, "NoSuchBucket", false)]
    [InlineData(HttpStatusCode.BadRequest, "InvalidBucketName", false)]
    [InlineData(HttpStatusCode.NotImplemented, "NotImplemented", false)]
    [InlineData(HttpStatusCode.HttpVersionNotSupported, null, false)]
    [InlineData(HttpStatusCode.BadRequest, "RequestTimeout", true)]
    [InlineData(HttpStatusCode.RequestTimeout, null, true)]
    [InlineData(HttpStatusCode.TooManyRequests, null, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "SlowDown", true)]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError", true)]
    [InlineData(HttpStatusCode.BadGateway, null, true)]
    [InlineData(HttpStatusCode.GatewayTimeout, null, true)]
    public void An_answer_of_the_store_is_transient_only_when_it_says_later(HttpStatusCode status, string? errorCode, bool transient)
    {
        var answer = new AmazonS3Exception("the store's message", ErrorType.Sender, errorCode, "request-1", status);

        var failure = S3StoreException.From(answer, "0", Settings, "writing", timedOut: false);

        Assert.NotNull(failure);
        Assert.Equal(transient, failure.Transient);
        // A "later" may come from a proxy in front of a store still carrying the write out, or be the SDK's last retry
        // after an attempt whose answer was lost: a write that failed so may still land.
        Assert.Equal(transient, failure.AnswerLost);
        Assert.StartsWith("location 0 (", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_answer_in_time_and_no_connection_are_transient()
    {
        Assert.True(S3StoreException.From(new OperationCanceledException(), "0", Settings, "writing", timedOut: true)!.Transient);
        Assert.True(S3StoreException.From(new HttpRequestException("Connection refused"), "0", Settings, "writing", timedOut: false)!.Transient);
    }

    [Fact]
    public void An_answer_that_is_not_S3_at_all_is_a_refusal()
    {
        // What a ServiceUrl that points at some other web server gives: it answers, just not in S3's language.
        var failure = S3StoreException.From(new AmazonUnmarshallingException("request-1", "Error", "<html>", new FormatException("not XML")),
            "0", Settings, "listing", timedOut: false);

        Assert.False(failure!.Transient);
        Assert.EndsWith("listing: the endpoint answered, but not as an S3 store; check the location's S3:ServiceUrl", failure.Message,
            StringComparison.Ordinal);
    }
}
