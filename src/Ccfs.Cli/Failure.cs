using System.Net.Sockets;
using System.Security.Authentication;
using Ccfs.Audio;
using Ccfs.Client;
using Polly.Timeout;

namespace Ccfs.Cli;

/// <summary>
/// A failure any command can meet, as the one-line message and the exit code docs/cli.md documents. Messages say what
/// happened and what to do, in words: never a .NET type name, never "see inner exception".
/// </summary>
internal sealed record Failure(string Message, int ExitCode)
{
    /// <summary>The failure an exception stands for; null for one no command expects (a bug).</summary>
    public static Failure? Of(Exception e) => e switch
    {
        UsageException => new(e.Message, ExitCodes.Usage),
        UnsupportedAudioException => new("cannot convert: " + e.Message, ExitCodes.Usage),
        CcfsAuthenticationException => new(e.Message, ExitCodes.AuthenticationRefused),
        CcfsCertificateException refused => new(DevelopmentCertificate.Explain(refused), ExitCodes.Unreachable),
        CcfsDownloadTooLargeException large => new($"the file is larger than --max-bytes, {large.MaxBytes} bytes (at least {large.Bytes} came or "
            + "were announced), so nothing was written: pass a larger --max-bytes (e.g. 4GiB), or --max-bytes none", ExitCodes.Unreachable),
        CcfsRequestException => new(e.Message, ExitCodes.Unreachable),
        HttpRequestException when Cause<CcfsCertificateException>(e) is { } refused => new(DevelopmentCertificate.Explain(refused), ExitCodes.Unreachable),
        HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => new(
            $"the endpoint's answer is larger than {ConnectionSettings.MaxAnswerBytes / 1024 / 1024} MiB, more than ccfs reads of one: "
            + "is this endpoint a ccfs server?", ExitCodes.Unreachable),
        HttpRequestException request => Connection(request),
        // HttpClient.Timeout cancels with a TimeoutException inside; any other cancellation is Ctrl-C or SIGTERM.
        OperationCanceledException and not TaskCanceledException { InnerException: TimeoutException } =>
            new("interrupted before the command finished (Ctrl-C or SIGTERM)", ExitCodes.Interrupted),
        TaskCanceledException or TimeoutRejectedException or TimeoutException => new("the endpoint did not answer in time (--timeout)", ExitCodes.Unreachable),
        // A connection that broke while a body was read or written surfaces as an IOException too.
        HttpIOException or IOException { InnerException: SocketException } => Broke(e),
        IOException or UnauthorizedAccessException => new(e.Message, ExitCodes.Usage),
        _ => null,
    };

    /// <summary>No connection could be made (nothing listens there, no such host, TLS refused): no request reached the endpoint.</summary>
    public static bool IsUnreachable(Exception e) =>
        e is HttpRequestException
        {
            HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError
        };

    /// <summary>
    /// The request reached the endpoint but its answer never came (the attempt ran out of time, or the connection broke
    /// after it was made), so the endpoint may have done the work all the same.
    /// </summary>
    public static bool AnswerLost(Exception e) => e switch
    {
        TaskCanceledException or TimeoutRejectedException or TimeoutException => true,
        HttpRequestException when Cause<CcfsCertificateException>(e) is not null => false,
        HttpRequestException => !IsUnreachable(e),
        HttpIOException or IOException { InnerException: SocketException } => true,
        _ => false,
    };

    /// <summary>A short name for a failure without an answer, as <c>ccfs bench</c> counts them beside the resultCodes.</summary>
    public static string? Label(Exception e) => e switch
    {
        CcfsRequestException request => $"HTTP {request.Status}",
        TaskCanceledException or TimeoutRejectedException or TimeoutException => "timeout",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => "no connection",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "TLS failed",
        HttpRequestException or IOException => "connection broke",
        _ => null,
    };

    private static Failure Connection(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.ConnectionError => new($"cannot reach the endpoint: {e.Message}; is the server running and listening there?",
            ExitCodes.Unreachable),
        HttpRequestError.NameResolutionError => new($"cannot reach the endpoint: its host name is not known: {e.Message}", ExitCodes.Unreachable),
        HttpRequestError.SecureConnectionError => new(Tls(e), ExitCodes.Unreachable),
        _ => Broke(e),
    };

    private static Failure Broke(Exception e) =>
        new("the connection to the endpoint broke: " + Deepest(e).Message.TrimEnd('.'), ExitCodes.Unreachable);

    private static string Tls(HttpRequestException e)
    {
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is AuthenticationException && cause.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase))
            {
                return "cannot reach the endpoint: the server's TLS certificate is not trusted: pass --fingerprint with the "
                    + "SHA-256 the server printed, or --insecure for a development server";
            }
        }

        return $"cannot reach the endpoint: the TLS handshake failed ({Deepest(e).Message.TrimEnd('.')}); "
            + "if the endpoint serves plain HTTP, use an http:// endpoint";
    }

    private static T? Cause<T>(Exception e)
        where T : Exception
    {
        for (var cause = e.InnerException; cause is not null; cause = cause.InnerException)
        {
            if (cause is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The innermost cause: the one that says what the network did (".NET could not copy a stream" says nothing).</summary>
    private static Exception Deepest(Exception e)
    {
        while (e.InnerException is { } inner)
        {
            e = inner;
        }

        return e;
    }
}
