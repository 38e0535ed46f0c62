using Ccfs.Client;

namespace Ccfs.Client.Tests;

/// <summary>Creates SDK clients bound to an in-process server, optionally behind a handler that misbehaves.</summary>
internal static class ClientFixture
{
    public static CcfsClient Client(CcfsFactory factory, Action<CcfsClientOptions>? configure = null, DelegatingHandler? inFront = null)
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

        return new CcfsClient(new HttpClient(handler) { BaseAddress = new Uri("http://localhost") }, options);
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
