using System.Net;

namespace Ccfs.Client;

/// <summary>
/// Counts the attempts of one retried request that reached the endpoint but brought back no answer (the connection
/// broke, the attempt ran out of time) or a gateway's 502 or 504. Each may have done its work all the same, and the
/// answer that finally came has to be read knowing that: a delete retried after a lost answer finds the file gone.
/// </summary>
internal sealed class UnansweredAttempts
{
    private int _count;

    /// <summary>How many attempts before the last one went unanswered.</summary>
    public int BeforeLast { get; private set; }

    public async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> attempt, CancellationToken caller)
    {
        BeforeLast = _count;
        try
        {
            var answer = await attempt();
            if (answer.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout)
            {
                _count++;
            }

            return answer;
        }
        catch (Exception e) when (!caller.IsCancellationRequested && !NeverSent(e))
        {
            _count++;
            throw;
        }
    }

    /// <summary>No connection was made, so the request never reached the endpoint.</summary>
    private static bool NeverSent(Exception e) => e is HttpRequestException
    {
        HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError,
    } or CcfsCertificateException;
}
