using Ccfs.Protocol.Development;

namespace Ccfs.Client;

/// <summary>Every failure the SDK reports itself, rather than as a bare network or TLS exception, with what to do about it.</summary>
public class CcfsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The server's TLS certificate was refused, so no request was sent. The message names the certificate presented
/// and the ones that would have been trusted, and says which option trusts the right one.
/// </summary>
public sealed class CcfsCertificateException(string message, string host, string? presentedSha256, string? pinnedSha256,
    IReadOnlyList<SharedCertificate>? developmentCertificates, Exception? inner = null) : CcfsException(message, inner)
{
    /// <summary>The host the client connected to.</summary>
    public string Host { get; } = host;

    /// <summary>The SHA-256 (upper-case hex) of the certificate the server presented, when it presented one.</summary>
    public string? PresentedSha256 { get; } = presentedSha256;

    /// <summary>The fingerprint <see cref="CcfsClientOptions.ServerCertificateSha256"/> pinned, if any.</summary>
    public string? PinnedSha256 { get; } = pinnedSha256;

    /// <summary>
    /// The development servers' certificates that were looked for (<see cref="CcfsClientOptions.TrustDevelopmentCertificates"/>
    /// on a loopback endpoint), possibly none; null when development certificates did not count for this endpoint.
    /// </summary>
    public IReadOnlyList<SharedCertificate>? DevelopmentCertificates { get; } = developmentCertificates;
}
