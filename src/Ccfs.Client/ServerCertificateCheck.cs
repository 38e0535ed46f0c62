using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using Ccfs.Protocol.Development;

namespace Ccfs.Client;

/// <summary>
/// Decides whether to trust the server's TLS certificate: any (for a development server, when asked), exactly the
/// pinned fingerprint, one the machine trusts, or on a loopback endpoint a local development server's certificate.
/// A refusal throws <see cref="CcfsCertificateException"/> from the handshake, so the caller learns which certificate
/// was presented and which option would trust it instead of .NET's "the remote certificate was rejected".
/// </summary>
internal static class ServerCertificateCheck
{
    public static RemoteCertificateValidationCallback For(CcfsClientOptions options)
    {
        if (options.AcceptAnyServerCertificate)
        {
            return (_, _, _, _) => true;
        }

        var pinned = options.ServerCertificateSha256?.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant() is { Length: > 0 } p ? p : null;
        var trustDevelopment = options.TrustDevelopmentCertificates;
        var developmentFiles = options.DevelopmentCertificateFiles;
        var endpointHost = options.Endpoint?.IdnHost;
        return (sender, certificate, _, errors) =>
        {
            var host = (sender as SslStream)?.TargetHostName is { Length: > 0 } target ? target : endpointHost ?? "";
            var presented = certificate is null ? null : Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
            if (pinned is not null)
            {
                return presented == pinned ? true : throw Refused(host, presented, pinned, null,
                    $"the server's TLS certificate{Presented(presented)} is not the one CcfsClientOptions.ServerCertificateSha256 pins "
                    + $"(SHA-256 {DevelopmentCertificateFile.WithColons(pinned)}); if the server made a new certificate, pin the fingerprint it printed");
            }

            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            var loopback = DevelopmentServer.IsLoopbackHost(host);
            if (!trustDevelopment || !loopback)
            {
                throw Refused(host, presented, null, null, loopback ? NotTrustedOnLoopback(presented, errors) : NotTrusted(host, presented, errors));
            }

            var files = developmentFiles ?? DevelopmentTrust.DefaultFiles();
            var development = DevelopmentTrust.Find(files);
            return development.Any(c => c.Sha256 == presented)
                ? true
                : throw Refused(host, presented, null, development, NotADevelopmentCertificate(presented, files, development));
        };
    }

    /// <summary>
    /// The refusal behind a failed request: this check's own, or a certificate another handler refused (told in words
    /// of what to do); null when the request failed for another reason.
    /// </summary>
    public static CcfsCertificateException? Rejection(HttpRequestException failure, Uri? endpoint)
    {
        for (Exception? cause = failure; cause is not null; cause = cause.InnerException)
        {
            if (cause is CcfsCertificateException refused)
            {
                return refused;
            }

            if (cause is AuthenticationException && cause.Message.Contains("certificate", StringComparison.OrdinalIgnoreCase))
            {
                var host = endpoint?.IdnHost ?? "";
                var advice = DevelopmentServer.IsLoopbackHost(host)
                    ? NotTrustedOnLoopback(null, SslPolicyErrors.RemoteCertificateChainErrors)
                    : NotTrusted(host, null, SslPolicyErrors.RemoteCertificateChainErrors);
                return new CcfsCertificateException($"{advice} ({cause.Message.TrimEnd('.')}; the HttpClient's handler is not "
                    + "CcfsHttpHandler.Create's)", host, null, null, null, failure);
            }
        }

        return null;
    }

    private static CcfsCertificateException Refused(string host, string? presented, string? pinned,
        IReadOnlyList<SharedCertificate>? development, string message) => new(message, host, presented, pinned, development);

    private static string NotTrusted(string host, string? presented, SslPolicyErrors errors) =>
        $"the TLS certificate of {host}{Presented(presented)} is not trusted: {Why(errors)}. Install the certificate of the "
        + "authority that issued it on this machine, or set CcfsClientOptions.ServerCertificateSha256 to the server's SHA-256 fingerprint";

    private static string NotTrustedOnLoopback(string? presented, SslPolicyErrors errors) =>
        $"the server's TLS certificate{Presented(presented)} is not trusted: {Why(errors)}. For a ccfs development server on this "
        + "machine (dotnet run --project src/Ccfs.Server, ccfs serve), use CcfsClientOptions.Development() or "
        + "options.UseDevelopmentServer(), which trust the certificate it shares in ~/.ccfs/dev-certificate.pem; otherwise set "
        + "CcfsClientOptions.ServerCertificateSha256 to the SHA-256 fingerprint the server printed at start-up";

    private static string NotADevelopmentCertificate(string? presented, IReadOnlyList<string> files, IReadOnlyList<SharedCertificate> development) =>
        $"the server's TLS certificate{Presented(presented)} is not trusted: "
        + (development.Count == 0
            ? $"no ccfs development server has shared a certificate in {string.Join(" or ", files)} (is it running on this machine, as this user?)"
            : "it is not the certificate of a development server in " + string.Join(" or ", development.Select(c => $"{c.Path} (SHA-256 "
                + DevelopmentCertificateFile.WithColons(c.Sha256) + (c.Owner is { } owner ? $", process {owner.ProcessId} on {string.Join(' ', owner.Endpoints)}" : "") + ")")))
        + ", and this machine does not trust it. If the server uses another data dir or runs as another user, set "
        + "CcfsClientOptions.ServerCertificateSha256 to the SHA-256 fingerprint it printed at start-up";

    private static string Presented(string? presented) =>
        presented is null ? "" : $" (SHA-256 {DevelopmentCertificateFile.WithColons(presented)})";

    private static string Why(SslPolicyErrors errors) => errors switch
    {
        SslPolicyErrors.RemoteCertificateNotAvailable => "the server presented no certificate",
        SslPolicyErrors.RemoteCertificateNameMismatch => "it does not name this host",
        SslPolicyErrors.RemoteCertificateChainErrors => "no authority this machine trusts issued it (it may be self-signed)",
        _ => "no authority this machine trusts issued it for this host",
    };
}
