using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Ccfs.Server.Storage.S3;

/// <summary>
/// An S3 store refused an operation, failed, or did not answer in time: a storage failure like a disk's, answered
/// <c>0300503</c> so the client may retry. The message says which location, which operation and why.
/// </summary>
public sealed class S3StoreException(string message, Exception? inner = null, bool transient = false, bool answerLost = false)
    : IOException(message, inner)
{
    /// <summary>
    /// The store was slow, busy or out of reach rather than refusing: the same call may well succeed a moment later, where
    /// a refusal (a missing bucket, denied access) stays until someone changes the configuration.
    /// </summary>
    public bool Transient { get; } = transient;

    /// <summary>
    /// A write may still be carried out by the store: no answer came (a time-out, a connection that failed), or one that
    /// says "later" (a 5xx, perhaps a proxy's 502 or 504 in front of a store still working, or the SDK's last retry after
    /// an attempt whose answer was lost).
    /// </summary>
    public bool AnswerLost { get; } = answerLost;

    /// <summary>
    /// The failure <paramref name="e"/> stands for, or null if it is none of the store's (a cancellation the caller asked
    /// for, or a bug): SDK answers and network errors, and the end of the operation's time (<paramref name="timedOut"/>).
    /// </summary>
    internal static S3StoreException? From(Exception e, string location, S3LocationSettings settings, string operation, bool timedOut)
    {
        var noAnswer = $"no answer within {settings.Timeout.TotalSeconds:0.###} s";
        (string? reason, bool transient) = e switch
        {
            OperationCanceledException when timedOut => (noAnswer, true),
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } => ($"the bucket '{settings.Bucket}' does not exist", false),
            AmazonS3Exception { ErrorCode: "BadDigest" } =>
                ("the store found that the bytes it received do not match their Content-MD5 (BadDigest); nothing was stored", false),
            AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } s =>
                ($"access denied ({s.ErrorCode ?? "403"}); check the location's S3:AccessKey, S3:SecretKey and the bucket's permissions", false),
            AmazonS3Exception s when IsBusy(s) => ($"the store is busy ({(int)s.StatusCode} {s.ErrorCode})", true),
            AmazonS3Exception s => ($"the store answered {(int)s.StatusCode} {s.ErrorCode}{(s.Message is { Length: > 0 } m ? ": " + m : "")}", false),
            AmazonUnmarshallingException => ("the endpoint answered, but not as an S3 store; check the location's S3:ServiceUrl", false),
            AmazonServiceException { InnerException: { } inner } => (Unreachable(inner), true),
            AmazonServiceException s => ($"the store answered {(int)s.StatusCode} {s.ErrorCode}", IsBusy(s)),
            AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException => (Unreachable(e), true),
            OperationCanceledException { InnerException: TimeoutException } => (noAnswer, true),
            _ => (null, false),
        };
        return reason is null ? null : new S3StoreException($"location {location} ({settings}): {operation}: {reason}", e, transient,
            answerLost: transient);
    }

    /// <summary>Answers that say "later", not "no": a 501 or 505, say, stays until the configuration changes.</summary>
    private static bool IsBusy(AmazonServiceException answer) => answer.ErrorCode is "RequestTimeout" or "SlowDown"
        || answer.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static string Unreachable(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return "the store cannot be reached: " + innermost.Message;
    }
}
