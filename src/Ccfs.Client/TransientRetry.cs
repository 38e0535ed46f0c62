using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Ccfs.Client;

/// <summary>
/// The resilience every retried request gets: a time limit on each attempt, and retries after a connection error,
/// an attempt out of time, 502, 503 or 504. Each attempt runs the caller's callback again, so it is signed afresh.
/// </summary>
internal static class TransientRetry
{
    /// <param name="limitEachAttempt">
    /// False leaves the time limit to the caller, for a download whose attempt reads a body of any length after the
    /// answer's headers came: the wait for those is limited (<see cref="AttemptTimeout"/>), then each wait for the
    /// file's bytes (<see cref="FileBody"/>).
    /// </param>
    public static ResiliencePipeline<HttpResponseMessage> Build(CcfsClientOptions options, bool limitEachAttempt = true)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (options.RetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.RetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    // HttpClient.Timeout, when it runs out before AttemptTimeout does.
                    .Handle<TaskCanceledException>(e => e.InnerException is TimeoutException)
                    .HandleResult(r => r.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
                        or HttpStatusCode.GatewayTimeout),
            });
        }

        // Added after the retry, so it limits each attempt rather than all of them together.
        if (limitEachAttempt)
        {
            AddTimeout(builder, options);
        }

        return builder.Build();
    }

    /// <summary>The time limit alone, for a part of an attempt.</summary>
    public static ResiliencePipeline<HttpResponseMessage> AttemptTimeout(CcfsClientOptions options) =>
        AddTimeout(new ResiliencePipelineBuilder<HttpResponseMessage>(), options).Build();

    private static ResiliencePipelineBuilder<HttpResponseMessage> AddTimeout(ResiliencePipelineBuilder<HttpResponseMessage> builder,
        CcfsClientOptions options) =>
        options.AttemptTimeout > TimeSpan.Zero && options.AttemptTimeout != Timeout.InfiniteTimeSpan
            ? builder.AddTimeout(options.AttemptTimeout)
            : builder;
}
