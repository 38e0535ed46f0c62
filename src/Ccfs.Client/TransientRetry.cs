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
    public static ResiliencePipeline<HttpResponseMessage> Build(CcfsClientOptions options)
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
        if (options.AttemptTimeout > TimeSpan.Zero && options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(options.AttemptTimeout);
        }

        return builder.Build();
    }
}
