using Ccfs.Client;

namespace Ccfs.Client.Tests;

/// <summary>Creates SDK clients bound to an in-process server, optionally behind a handler that misbehaves.</summary>
internal static class ClientFixture
{
    public static CcfsClient Client(CcfsFactory factory, Action<CcfsClientOptions>? configure = null, DelegatingHandler? inFront = null,
        TimeSpan? httpTimeout = null)
    {
        var options = new CcfsClientOptions
        {
            AccessKey = CcfsFactory.AccessKey,
            SecretKey = CcfsFactory.SecretKey,
            TimeProvider = factory.Time,
            RetryDelay = TimeSpan.FromMilliseconds(1),
        };
        configure?.Invoke(options);
        HttpMessageHandler handler = factory.Server.CreateHandler();
        if (inFront is not null)
        {
            inFront.InnerHandler = handler;
            handler = inFront;
        }

        var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
        if (httpTimeout is { } timeout)
        {
            http.Timeout = timeout;
        }

        return new CcfsClient(http, options);
    }
}

/// <summary>Answers the first requests itself (a status or an exception), then lets the rest through; counts them all.</summary>
internal sealed class FlakyHandler(int failures, Func<HttpResponseMessage>? answer = null) : DelegatingHandler
{
    public int Requests { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests++;
        if (Requests > failures)
        {
            return base.SendAsync(request, cancellationToken);
        }

        return answer is null
            ? throw new HttpRequestException("connection reset")
            : Task.FromResult(answer());
    }
}

/// <summary>Leaves the first requests unanswered until they are abandoned, then lets the rest through; counts both.</summary>
internal sealed class HangingHandler(int hangs) : DelegatingHandler
{
    private int _requests;
    private int _abandoned;

    public int Requests => _requests;

    /// <summary>Requests the client gave up waiting for.</summary>
    public int Abandoned => _abandoned;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _requests) <= hangs)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _abandoned);
                throw;
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
