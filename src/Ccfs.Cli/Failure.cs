using System.Net.Sockets;
using System.Security.Authentication;
using Ccfs.Audio;
using Ccfs.Client;
using Polly.Timeout;

namespace Ccfs.Cli;

/// <summary>A failure any command can meet, as the one-line message and the exit code the README documents.</summary>
internal sealed record Failure(string Message, int ExitCode)
{
    /// <summary>The failure an exception stands for; null for one no command expects (a bug, which should show).</summary>
    public static Failure? Of(Exception e) => e switch
    {
        UsageException => new(e.Message, ExitCodes.Usage),
        UnsupportedAudioException => new("cannot convert: " + e.Message, ExitCodes.Usage),
        CcfsAuthenticationException => new(e.Message, ExitCodes.AuthenticationRefused),
        CcfsRequestException => new(e.Message, ExitCodes.Unreachable),
        HttpRequestException when Cause<UntrustedCertificateException>(e) is { } untrusted => new(untrusted.Message, ExitCodes.Unreachable),
        HttpRequestException => new("cannot reach the endpoint: " + e.Message + TlsHint(e), ExitCodes.Unreachable),
        TaskCanceledException or TimeoutRejectedException => new("the endpoint did not answer in time (--timeout)", ExitCodes.Unreachable),
        // A connection that broke while a body was read or written surfaces as an IOException too.
        HttpIOException or IOException { InnerException: SocketException } => new("the connection to the endpoint broke: " + e.Message, ExitCodes.Unreachable),
        IOException or UnauthorizedAccessException => new(e.Message, ExitCodes.Usage),
        _ => null,
    };

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

    private static string TlsHint(Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is AuthenticationException)
            {
                return " (the server's TLS certificate is not trusted: pass --fingerprint with the SHA-256 the server printed, "
                    + "or --insecure for a development server)";
            }
        }

        return "";
    }
}
